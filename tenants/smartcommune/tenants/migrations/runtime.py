"""Drive the two alembic environments from code: control upgrades, commune creation scripts, per-schema upgrades."""

from __future__ import annotations

import io
import os
import threading
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from alembic.config import Config
from alembic.operations import Operations
from alembic.runtime.environment import EnvironmentContext
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text

from smartcommune.tenants.control.models import CONTROL_SCHEMA
from smartcommune.tenants.database import quote_ident
from smartcommune.tenants.migrations.flatten import flatten
from smartcommune.tenants.settings import get_settings

MIGRATIONS_DIR = Path(__file__).parent
_script_lock = threading.Lock()


def _config(env: str, extra_locations: Iterable[str] = ()) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR / env))
    locations = [str(MIGRATIONS_DIR / env / "versions"), *extra_locations]
    cfg.set_main_option("version_locations", os.pathsep.join(locations))
    cfg.set_main_option("path_separator", "os")
    return cfg


class _Scripts(ScriptDirectory):
    config: Config


def _load(cfg: Config) -> _Scripts:
    script = ScriptDirectory.from_config(cfg)
    script.__class__ = _Scripts
    scripts: _Scripts = script  # type: ignore[assignment]
    scripts.config = cfg
    return scripts


@lru_cache
def control_script() -> _Scripts:
    return _load(_config("control"))


@lru_cache
def tenant_script() -> _Scripts:
    extra = [p for p in get_settings().tenant_extra_migrations.split(os.pathsep) if p]
    return _load(_config("tenant", extra))


def tenant_head() -> str:
    head = tenant_script().get_current_head()
    assert head is not None, "tenant migrations have no head"
    return head


def _run(
    script: _Scripts,
    conn: Connection | None,
    target: str,
    *,
    version_table_schema: str | None,
    as_sql: bool = False,
    buffer: io.StringIO | None = None,
) -> None:
    def upgrade(rev: Any, _ctx: Any) -> Any:
        return script._upgrade_revs(target, rev)

    with EnvironmentContext(script.config, script, fn=upgrade, destination_rev=target, as_sql=as_sql) as env:
        opts: dict[str, Any] = {"version_table_schema": version_table_schema, "transactional_ddl": False}
        if as_sql:
            opts.update(dialect_name="postgresql", output_buffer=buffer, literal_binds=True)
        else:
            opts["connection"] = conn
        env.configure(**opts)
        env.run_migrations()


def upgrade_control(engine: Engine) -> None:
    """Bring the control schema to head (idempotent; serialized by an advisory lock)."""
    with engine.begin() as conn:
        conn.execute(text("SELECT pg_advisory_xact_lock(hashtext('smartcommune.control.migrate'))"))
        conn.execute(text(f"CREATE SCHEMA IF NOT EXISTS {CONTROL_SCHEMA}"))
        head = control_script().get_current_head()
        assert head is not None
        _run(control_script(), conn, head, version_table_schema=CONTROL_SCHEMA)


_creation_scripts: dict[str, str] = {}


def creation_script(revision: str | None = None) -> str:
    """The whole DDL of a commune schema at `revision` (default head), compiled once per process and cached.

    It is alembic's own offline rendering of base→revision with later column changes folded into each
    table's CREATE TABLE (`flatten`), so it builds what replaying the history would build; a test compares
    the two catalogs. Tables are unqualified: the caller sets the search_path to the new schema inside its
    transaction.
    """
    target = revision or tenant_head()
    cached = _creation_scripts.get(target)
    if cached is None:
        with _script_lock:
            buffer = io.StringIO()
            _run(tenant_script(), None, target, version_table_schema=None, as_sql=True, buffer=buffer)
            cached = _creation_scripts[target] = flatten(buffer.getvalue())
    return cached


def current_revision(conn: Connection, schema: str) -> str | None:
    row = conn.execute(text(f"SELECT version_num FROM {quote_ident(schema)}.alembic_version")).first()
    return row[0] if row else None


def upgrade_schema(conn: Connection, schema: str, target: str, current: str | None = None) -> None:
    """Upgrade one commune schema inside the caller's transaction (the caller sets search_path and timeouts).

    With a known current revision the revision scripts run directly under one alembic Operations
    context and the schema's version row is updated here: alembic's own loop reflects the catalog for
    the version table on every call, which is most of the cost across thousands of schemas.
    """
    script = tenant_script()
    if current is None:
        _run(script, conn, target, version_table_schema=schema)
        return
    steps = list(script.revision_map.iterate_revisions(target, current, implicit_base=True))
    if not steps:
        return
    context = MigrationContext.configure(connection=conn, opts={"version_table_schema": schema})
    with Operations.context(context):
        for step in reversed(steps):
            step.module.upgrade()  # type: ignore[attr-defined]
    conn.execute(
        text(f"UPDATE {quote_ident(schema)}.alembic_version SET version_num = :target WHERE version_num = :current"),
        {"target": target, "current": current},
    )


def reset_caches() -> None:
    _creation_scripts.clear()
    control_script.cache_clear()
    tenant_script.cache_clear()
