"""Tenant metadata stays compatible with Citus schema-based sharding (docs/scaling.md).

With `citus.enable_schema_based_sharding`, each commune schema becomes a distributed schema whose tables
all live on one node. That works when a tenant table never references anything outside its own schema
(no foreign key into `control`, into another schema, or to a schema-qualified table) and keys are
single-column BIGINT keys drawn from the schema's own sequence, or UUIDs (no composite or text keys that
would have to be generated or matched across nodes).
"""

from __future__ import annotations

import pytest
from sqlalchemy import Integer, Table
from sqlalchemy.types import Uuid

import smartcommune.platform.tenant_models as tenant_models
from smartcommune.tenants.tenant_schema import tenant_metadata

TABLES = sorted(tenant_models.tenant_metadata.tables.values(), key=lambda t: t.name)


def test_there_are_tenant_tables() -> None:
    assert tenant_models.tenant_metadata is tenant_metadata
    assert len(TABLES) >= 3


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.name)
def test_tables_are_unqualified(table: Table) -> None:
    """search_path (SET LOCAL) picks the commune schema; a fixed schema would escape it."""
    assert table.schema is None


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.name)
def test_foreign_keys_stay_inside_the_commune_schema(table: Table) -> None:
    for fk in table.foreign_keys:
        target = fk.target_fullname
        assert "control" not in target.split(".")[:-1], f"{table.name}: FK to the control schema {target}"
        assert target.count(".") == 1, f"{table.name}: FK to a schema-qualified table {target}"
        referred = fk.column.table
        assert referred.schema is None and referred.name in tenant_metadata.tables, f"{table.name} -> {target}"


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.name)
def test_primary_key_is_bigint_from_the_schema_sequence_or_uuid(table: Table) -> None:
    """A single BIGINT/INTEGER column defaulting to the schema's `ids` sequence, or a UUID column; or, for an
    association table, a composite of BIGINT/UUID columns that each reference a table of the same commune
    schema (e.g. announcement_id + file_id). Text or natural composite keys are refused."""
    columns = list(table.primary_key.columns)
    assert columns, f"{table.name}: no primary key"
    for column in columns:
        assert isinstance(column.type, Uuid | Integer), f"{table.name}.{column.name}: {column.type!r}"
    if len(columns) == 1:
        (column,) = columns
        if not isinstance(column.type, Uuid):
            default = column.server_default
            assert default is not None and "ids" in str(getattr(default, "arg", "")), f"{table.name}.{column.name}"
        return
    for column in columns:
        targets = [fk.column.table for fk in column.foreign_keys]
        assert targets and all(t.schema is None and t.name in tenant_metadata.tables for t in targets), (
            f"{table.name}.{column.name}: composite key column without a same-schema foreign key"
        )


def test_created_commune_schema_has_no_foreign_key_leaving_it(communes: tuple) -> None:
    """The same rules on a real commune schema, which also holds the tables migrations create outside the ORM."""
    from sqlalchemy import text

    from smartcommune.tenants.database import owner_engine

    schema = communes[0].schema_name
    with owner_engine().connect() as conn:
        leaving = conn.execute(
            text(
                "SELECT c.conname, c.confrelid::regclass::text FROM pg_constraint c "
                "WHERE c.contype = 'f' AND c.connamespace = cast(:s AS regnamespace) "
                "AND (SELECT relnamespace FROM pg_class WHERE oid = c.confrelid) <> cast(:s AS regnamespace)"
            ),
            {"s": schema},
        ).all()
        keys = conn.execute(
            text(
                "SELECT k.relname, array_agg(format_type(a.atttypid, a.atttypmod) ORDER BY a.attnum) "
                "FROM pg_constraint c JOIN pg_class k ON k.oid = c.conrelid "
                "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey) "
                "WHERE c.contype = 'p' AND c.connamespace = cast(:s AS regnamespace) GROUP BY k.relname"
            ),
            {"s": schema},
        ).all()
    assert leaving == []
    assert keys
    allowed = {"bigint", "integer", "uuid"}
    # alembic_version (the per-schema version stamp) is keyed by its text revision: it is a one-row
    # bookkeeping table, never referenced and never generated, so it does not constrain sharding.
    # Composite keys (association tables) are checked for same-schema foreign keys on the ORM side above.
    bad = [(name, types) for name, types in keys if name != "alembic_version" and not set(types) <= allowed]
    assert bad == []
