"""A rollout reserves its communes' database roles up front; creating the commune then uses the role."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import text
from testsupport.fresh import unused_commune_codes

from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.database import owner_engine, role_names
from smartcommune.tenants.registry import create_commune, reserve_roles, schema_name_for


def _members_of(roles: list[str]) -> dict[str, list[str]]:
    with owner_engine().connect() as conn:
        rows = conn.execute(
            text(
                "SELECT r.rolname, m.rolname FROM pg_roles r "
                "LEFT JOIN pg_auth_members am ON am.roleid = r.oid LEFT JOIN pg_roles m ON m.oid = am.member "
                "WHERE r.rolname = ANY(:r)"
            ),
            {"r": roles},
        ).all()
    out: dict[str, list[str]] = {}
    for role, member in rows:
        out.setdefault(role, [])
        if member:
            out[role].append(member)
    return out


def test_reserving_creates_each_missing_role_once_granted_to_the_app_login() -> None:
    codes = unused_commune_codes(2)
    roles = [role_names().commune(schema_name_for(c)) for c in codes]
    assert _members_of(roles) == {}
    assert reserve_roles(owner_engine(), [*codes, codes[0]]) == 2
    assert _members_of(roles) == {r: [role_names().app] for r in roles}
    assert reserve_roles(owner_engine(), codes) == 0  # idempotent: a resumed rollout reserves nothing new


def test_a_commune_created_on_a_reserved_role_is_isolated_like_any_other(
    communes: tuple[TenantInfo, TenantInfo],
) -> None:
    a, _ = communes
    (code,) = unused_commune_codes(1)
    reserve_roles(owner_engine(), [code])
    tenant = create_commune(owner_engine(), code).tenant
    assert tenant.role_name == role_names().commune(schema_name_for(code))
    url = owner_engine().url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(url, autocommit=False) as conn:
        conn.execute(f'SET ROLE "{tenant.role_name}"')
        conn.execute(f'SELECT count(*) FROM "{tenant.schema_name}".villages')
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(f'SELECT count(*) FROM "{a.schema_name}".villages')
