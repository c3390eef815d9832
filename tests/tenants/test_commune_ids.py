"""BIGINT keys come from one sequence per commune schema (t0017), on new and on migrated communes."""

from __future__ import annotations

from sqlalchemy import text
from testsupport.fresh import unused_commune_codes

from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.database import owner_engine
from smartcommune.tenants.migrations.runtime import tenant_head, upgrade_schema
from smartcommune.tenants.registry import create_commune


def _sequences(schema: str) -> list[str]:
    with owner_engine().connect() as conn:
        return list(
            conn.execute(
                text("SELECT relname FROM pg_class WHERE relkind = 'S' AND relnamespace = cast(:s AS regnamespace)"),
                {"s": schema},
            ).scalars()
        )


def test_a_new_commune_has_one_sequence_shared_by_its_tables(communes: tuple[TenantInfo, TenantInfo]) -> None:
    a, b = communes
    assert _sequences(a.schema_name) == ["ids"]
    assert _sequences(b.schema_name) == ["ids"]
    with owner_engine().begin() as conn:
        conn.exec_driver_sql(f'SET LOCAL search_path TO "{a.schema_name}"')
        village = conn.execute(
            text(
                "INSERT INTO villages (code, name, kind) VALUES ('ids-check', 'Thôn kiểm tra', 'village') RETURNING id"
            )
        ).scalar_one()
        audit = conn.execute(
            text(
                "INSERT INTO audit_log (actor, actor_kind, action, object_type, object_id) "
                "VALUES ('test', 'system', 'check', 'ids', '1') RETURNING id"
            )
        ).scalar_one()
        conn.rollback()
    assert audit == village + 1  # one counter for the schema: the next key of any table


def test_migrating_an_existing_commune_keeps_ids_and_continues_above_the_largest() -> None:
    code = unused_commune_codes(1)[0]
    tenant = create_commune(owner_engine(), code, revision="t0016").tenant
    schema = tenant.schema_name
    with owner_engine().begin() as conn:
        conn.exec_driver_sql(f'SET LOCAL search_path TO "{schema}"')
        conn.execute(text("INSERT INTO villages (id, code, name, kind) VALUES (500, 'v500', 'Thôn 500', 'village')"))
        kept = conn.execute(
            text("INSERT INTO villages (code, name, kind) VALUES ('v-next', 'Thôn sau', 'village') RETURNING id")
        ).scalar_one()
        assert len(_sequences(schema)) > 1  # before t0017: an identity sequence per table
    with owner_engine().begin() as conn:
        conn.exec_driver_sql(f'SET LOCAL search_path TO "{schema}"')
        upgrade_schema(conn, schema, tenant_head(), current="t0016")
        conn.execute(
            text("UPDATE control.tenants SET schema_revision = :h WHERE id = :i"), {"h": tenant_head(), "i": tenant.id}
        )
    assert _sequences(schema) == ["ids"]
    with owner_engine().begin() as conn:
        conn.exec_driver_sql(f'SET LOCAL search_path TO "{schema}"')
        ids = conn.execute(text("SELECT id FROM villages ORDER BY id")).scalars().all()
        new_village = conn.execute(
            text("INSERT INTO villages (code, name, kind) VALUES ('v-new', 'Thôn mới', 'village') RETURNING id")
        ).scalar_one()
        new_audit = conn.execute(
            text(
                "INSERT INTO audit_log (actor, actor_kind, action, object_type, object_id) "
                "VALUES ('test', 'system', 'check', 'ids', '1') RETURNING id"
            )
        ).scalar_one()
    assert ids == [kept, 500]  # the identity had handed out 1 beside the explicit 500: both kept
    assert new_village == 501 and new_audit == 502
