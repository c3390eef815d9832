"""Creating a commune runs a compiled script; it must build exactly what replaying history builds."""

from __future__ import annotations

from sqlalchemy import Connection, text

from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.database import owner_engine
from smartcommune.tenants.migrations.runtime import creation_script, tenant_head, upgrade_schema


def _catalog(conn: Connection, schema: str) -> dict[str, list[tuple[object, ...]]]:
    columns = conn.execute(
        text(
            # A default naming the schema's sequence reads schema-qualified when read from another search_path.
            "SELECT table_name, column_name, ordinal_position, data_type, is_nullable, "
            "replace(column_default, :s || '.', ''), character_maximum_length, is_identity "
            "FROM information_schema.columns WHERE table_schema = :s ORDER BY 1, 2"
        ),
        {"s": schema},
    ).all()
    indexes = conn.execute(
        text(
            "SELECT tablename, indexname, replace(indexdef, :s || '.', '') FROM pg_indexes WHERE schemaname = :s "
            "ORDER BY 1, 2"
        ),
        {"s": schema},
    ).all()
    constraints = conn.execute(
        text(
            # A foreign key's definition names the referenced table with its schema when that schema is
            # not on the search_path (the catalog is read with the scratch schema's path): strip it.
            "SELECT conname, contype, replace(pg_get_constraintdef(c.oid), :s || '.', '') FROM pg_constraint c "
            "JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = :s ORDER BY 1"
        ),
        {"s": schema},
    ).all()
    version = conn.execute(text(f'SELECT version_num FROM "{schema}".alembic_version')).all()
    return {
        "columns": [tuple(r) for r in columns],
        "indexes": [tuple(r) for r in indexes],
        "constraints": [tuple(r) for r in constraints],
        "version": [tuple(r) for r in version],
    }


def test_script_equals_replayed_history(communes: tuple[TenantInfo, TenantInfo]) -> None:
    a, _ = communes
    with owner_engine().begin() as conn:
        conn.exec_driver_sql(
            'DROP SCHEMA IF EXISTS "replay_check" CASCADE; CREATE SCHEMA "replay_check"; '
            'SET LOCAL search_path TO "replay_check"'
        )
        upgrade_schema(conn, "replay_check", tenant_head())
        replayed = _catalog(conn, "replay_check")
        created = _catalog(conn, a.schema_name)
        conn.exec_driver_sql('DROP SCHEMA "replay_check" CASCADE')
    assert replayed == created
    assert replayed["version"] == [(tenant_head(),)]


def test_script_is_compiled_once() -> None:
    assert creation_script() is creation_script()
    assert "CREATE TABLE villages" in creation_script()


def test_head_script_has_no_alter_and_one_version_row() -> None:
    """Every column a later revision added is in its table's CREATE TABLE (see `flatten`)."""
    script = creation_script()
    assert "ALTER TABLE" not in script
    assert "UPDATE alembic_version" not in script
    assert f"INSERT INTO alembic_version (version_num) VALUES ('{tenant_head()}')" in script
