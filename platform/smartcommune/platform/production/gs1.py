"""GS1 identifiers: GTIN check digits and GS1 Digital Link URIs for lots."""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.settings import get_settings

GTIN_LENGTHS = (8, 12, 13, 14)
# GS1 AI (10) batch/lot: up to 20 characters of GS1 AI encodable character set 82.
_LOT = re.compile(r"^[!\"%&'()*+,\-./0-9:;<=>?A-Z_a-z]{1,20}$")


def check_digit(body: str) -> int:
    """The GS1 mod-10 check digit of `body` (all digits but the last): weights 3,1,3,… from the right."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def is_valid_gtin(gtin: str) -> bool:
    return gtin.isascii() and gtin.isdigit() and len(gtin) in GTIN_LENGTHS and check_digit(gtin[:-1]) == int(gtin[-1])


def gtin14(gtin: str) -> str:
    """GTIN-8/12/13 are written as GTIN-14 in a Digital Link URI (left-padded with zeros)."""
    return gtin.zfill(14)


def is_valid_lot(lot: str) -> bool:
    return bool(_LOT.match(lot))


def commune_base_url(tenant: TenantInfo) -> str:
    """`<scheme>://<slug>.<BASE_DOMAIN>[:port]`, the scheme and port of PUBLIC_URL."""
    settings = get_settings()
    public = urlsplit(settings.public_url)
    port = f":{public.port}" if public.port else ""
    return f"{public.scheme or 'https'}://{tenant.slug}.{settings.base_domain}{port}"


def lot_path(gtin: str | None, lot: str) -> str:
    """`/01/{GTIN-14}/10/{lot}` with a GTIN; the commune-scoped `/trace/{lot}` without one."""
    if gtin:
        return f"/01/{gtin14(gtin)}/10/{quote(lot, safe='')}"
    return f"/trace/{quote(lot, safe='')}"


def lot_uri(tenant: TenantInfo, gtin: str | None, lot: str) -> str:
    return commune_base_url(tenant) + lot_path(gtin, lot)
