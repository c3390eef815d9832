"""A commune no other test has touched: for tests whose assertions need a pristine or absent commune."""

from __future__ import annotations

from sqlalchemy import select

from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.control.models import Tenant
from smartcommune.tenants.database import owner_engine
from smartcommune.tenants.official_list import all_communes
from smartcommune.tenants.registry import create_commune


def unused_commune_codes(count: int = 1) -> list[int]:
    """Official codes not onboarded in the test database (scanning from the end of the list)."""
    with owner_engine().connect() as conn:
        taken = set(conn.execute(select(Tenant.commune_code)).scalars())
    free = [c.code for c in reversed(all_communes()) if c.code not in taken]
    return free[:count]


def fresh_commune() -> TenantInfo:
    return create_commune(owner_engine(), unused_commune_codes(1)[0]).tenant
