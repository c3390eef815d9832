"""Isolation in depth: even raw SQL on the app login cannot reach another commune."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import ProgrammingError

from smartcommune.platform.tenant_models import tenant_metadata
from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.database import app_engine, owner_engine, quote_ident, role_names
from smartcommune.tenants.session import tenant_transaction

TENANT_TABLES = sorted(tenant_metadata.tables)


def test_tenant_metadata_is_not_empty() -> None:
    assert {"audit_log", "villages"} <= set(TENANT_TABLES)


@pytest.mark.parametrize("table", TENANT_TABLES)
def test_commune_role_cannot_read_another_communes_table(communes: tuple[TenantInfo, TenantInfo], table: str) -> None:
    a, b = communes
    for me, other in ((a, b), (b, a)):
        with pytest.raises(ProgrammingError, match="permission denied"), tenant_transaction(me) as s:
            s.execute(text(f"SELECT * FROM {quote_ident(other.schema_name)}.{quote_ident(table)} LIMIT 1"))


@pytest.mark.parametrize("table", TENANT_TABLES)
def test_app_login_without_set_role_reads_no_commune(communes: tuple[TenantInfo, TenantInfo], table: str) -> None:
    a, _ = communes
    with app_engine().connect() as conn, pytest.raises(ProgrammingError, match="permission denied"):
        conn.execute(text(f"SELECT * FROM {quote_ident(a.schema_name)}.{quote_ident(table)} LIMIT 1"))


def test_app_login_can_switch_only_into_commune_roles(communes: tuple[TenantInfo, TenantInfo]) -> None:
    owner = owner_engine().url.username or "postgres"
    with app_engine().connect() as conn:
        assert (
            conn.execute(
                text("SELECT rolsuper OR rolcreaterole OR rolbypassrls FROM pg_roles WHERE rolname = current_user")
            ).scalar_one()
            is False
        )
        with pytest.raises(ProgrammingError, match="permission denied"):
            conn.exec_driver_sql(f"SET LOCAL ROLE {quote_ident(owner)}")


def test_set_local_does_not_outlive_the_transaction(communes: tuple[TenantInfo, TenantInfo]) -> None:
    a, _ = communes
    with app_engine().connect() as conn:
        with conn.begin():
            conn.exec_driver_sql(f"SET LOCAL ROLE {quote_ident(a.role_name)}")
            assert conn.execute(text("SELECT current_user")).scalar_one() == a.role_name
        assert conn.execute(text("SELECT current_user")).scalar_one() == role_names().app


def test_version_row_and_audit_log_are_protected(communes: tuple[TenantInfo, TenantInfo]) -> None:
    a, _ = communes
    with pytest.raises(ProgrammingError, match="permission denied"), tenant_transaction(a) as s:
        s.execute(text("UPDATE alembic_version SET version_num = 'x'"))
    with tenant_transaction(a) as s:
        s.execute(
            text(
                "INSERT INTO audit_log (actor, actor_kind, action, object_type, object_id) "
                "VALUES ('t', 'commune', 'test', 'x', '1')"
            )
        )
    with pytest.raises(ProgrammingError, match="permission denied"), tenant_transaction(a) as s:
        s.execute(text("DELETE FROM audit_log"))


def test_no_session_level_set_in_the_codebase() -> None:
    """`SET` without LOCAL on a pooled connection leaks into the next transaction behind PgBouncer."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    offenders = []
    for path in [
        *root.glob("platform/**/*.py"),
        *root.glob("tenants/**/*.py"),
        *root.glob("provisioning/**/*.py"),
    ]:
        if "migrations" in path.parts and path.name == "env.py":
            continue  # developer-only alembic CLI on a throwaway connection
        for n, line in enumerate(path.read_text().splitlines(), 1):
            if re.search(r"[\"';]\s*SET\s+(ROLE|search_path|SESSION)\b", line, re.IGNORECASE):
                offenders.append(f"{path.relative_to(root)}:{n}: {line.strip()}")
    assert offenders == []


def test_roles_are_nologin(communes: tuple[TenantInfo, TenantInfo], database_url: str) -> None:
    with psycopg.connect(database_url) as conn:
        for t in communes:
            row = conn.execute("SELECT rolcanlogin FROM pg_roles WHERE rolname = %s", (t.role_name,)).fetchone()
            assert row == (False,)
