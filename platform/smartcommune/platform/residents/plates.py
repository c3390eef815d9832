"""The QR address plate of a household: a scannable link to the household's digital address."""

from __future__ import annotations

import io
from html import escape
from urllib.parse import quote

import segno

from smartcommune.platform.residents.models import Household
from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.settings import get_settings


def plate_url(tenant: TenantInfo, household: Household) -> str:
    """What the QR code holds: the commune's address page for this house (plus code in the fragment)."""
    base = get_settings().public_url.rstrip("/")
    url = f"{base}/t/{tenant.slug}/dia-chi/{quote(household.house_number, safe='')}"
    return f"{url}#{quote(household.plus_code, safe='+')}" if household.plus_code else url


def plate_png(tenant: TenantInfo, household: Household, *, scale: int = 8) -> bytes:
    out = io.BytesIO()
    segno.make_qr(plate_url(tenant, household), error="m").save(out, kind="png", scale=scale, border=2)
    return out.getvalue()


def plate_svg(tenant: TenantInfo, household: Household, village_name: str) -> bytes:
    """A printable plate: commune, village, house number, digital address code, and the QR code."""
    qr = segno.make_qr(plate_url(tenant, household), error="m")
    scale = 6
    size = qr.symbol_size(scale=scale, border=2)[0]
    qr_svg = qr.svg_inline(scale=scale, border=2, omitsize=False)
    width, height = size + 40, size + 150
    qr_svg = qr_svg.replace("<svg ", '<svg x="20" y="110" ', 1)
    texts = [
        (28, 16, escape(tenant.name)),
        (52, 14, escape(village_name)),
        (86, 30, "Số " + escape(household.house_number)),
        (height - 14, 14, escape(household.address_code)),
    ]
    lines = "".join(
        f'<text x="{width // 2}" y="{y}" font-size="{fs}" text-anchor="middle" font-family="sans-serif"'
        f' font-weight="bold">{t}</text>'
        for y, fs, t in texts
    )
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}">'
        f'<rect x="2" y="2" width="{width - 4}" height="{height - 4}" rx="10" fill="#fff" stroke="#0b4f9c"'
        f' stroke-width="4"/>{lines}{qr_svg}</svg>'
    )
    return svg.encode()
