"""The fleet migration runner: every commune schema to the target revision, one transaction per commune.

Workers claim communes with `FOR UPDATE SKIP LOCKED`, so any number of runners (threads or processes)
share the fleet without overlap. A commune's DDL, its version row, its catalog row and its ledger row
commit together, so killing a runner at any moment leaves each commune either untouched or fully
migrated; a rerun claims only what is not yet at the target. A failing commune is rolled back,
recorded as failed, and the run goes on.
"""

from __future__ import annotations

import multiprocessing
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from queue import Empty

from sqlalchemy import Connection, Engine, text

from smartcommune.tenants.database import owner_engine, quote_ident
from smartcommune.tenants.migrations.runtime import current_revision, tenant_head, upgrade_schema

# A commune that failed earlier in this run is not claimed again by any worker of the run.
_CLAIM = text(
    """
    SELECT t.id, t.commune_code, t.schema_name FROM control.tenants t
    WHERE t.schema_revision <> :target
      AND NOT EXISTS (SELECT 1 FROM control.migration_ledger l WHERE l.run_id = :run_id AND l.tenant_id = t.id)
    ORDER BY t.commune_code
    LIMIT 1
    FOR UPDATE OF t SKIP LOCKED
    """
)
_LEDGER = text(
    """
    INSERT INTO control.migration_ledger
        (run_id, tenant_id, commune_code, from_revision, to_revision, status, started_at, duration_ms, error)
    VALUES (:run_id, :tenant_id, :code, :from_rev, :to_rev, :status, :started_at, :duration_ms, :error)
    """
)


@dataclass
class FleetReport:
    run_id: uuid.UUID
    target: str
    migrated: int = 0
    failures: list[tuple[int, str]] = field(default_factory=list)
    durations_ms: list[float] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def failed(self) -> int:
        return len(self.failures)


@dataclass(frozen=True)
class Outcome:
    commune_code: int
    ok: bool
    duration_ms: float
    error: str | None


def pending_count(engine: Engine, target: str | None = None) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                text("SELECT count(*) FROM control.tenants WHERE schema_revision <> :t"),
                {"t": target or tenant_head()},
            ).scalar_one()
        )


def _migrate_one(conn: Connection, run_id: uuid.UUID, target: str, lock_timeout_ms: int) -> Outcome | None:
    trans = conn.begin()
    row = conn.execute(_CLAIM, {"target": target, "run_id": run_id}).first()
    if row is None:
        trans.rollback()
        return None
    tenant_id, code, schema = row
    started_at = datetime.now(UTC)
    started = time.perf_counter()
    from_rev = "?"

    def ledger(status: str, elapsed_ms: float, error: str | None) -> dict[str, object]:
        return {
            "run_id": run_id,
            "tenant_id": tenant_id,
            "code": code,
            "from_rev": from_rev,
            "to_rev": target,
            "status": status,
            "started_at": started_at,
            "duration_ms": elapsed_ms,
            "error": error,
        }

    try:
        conn.exec_driver_sql(
            f"SET LOCAL lock_timeout = {int(lock_timeout_ms)}; SET LOCAL search_path TO {quote_ident(schema)}"
        )
        current = current_revision(conn, schema)
        from_rev = current or "base"
        upgrade_schema(conn, schema, target, current)
        elapsed = (time.perf_counter() - started) * 1000
        conn.execute(
            text("UPDATE control.tenants SET schema_revision = :t, updated_at = now() WHERE id = :id"),
            {"t": target, "id": tenant_id},
        )
        conn.execute(_LEDGER, ledger("ok", elapsed, None))
        trans.commit()
        return Outcome(code, True, elapsed, None)
    except Exception as exc:
        trans.rollback()
        elapsed = (time.perf_counter() - started) * 1000
        first_line = str(exc).splitlines()[0] if str(exc) else ""
        message = f"{type(exc).__name__}: {first_line}"[:2000]
        with conn.begin():
            conn.execute(_LEDGER, ledger("failed", elapsed, message))
        return Outcome(code, False, elapsed, message)


def _drain(
    engine: Engine, run_id: uuid.UUID, target: str, lock_timeout_ms: int, emit: Callable[[Outcome], None]
) -> None:
    with engine.connect() as conn:
        while (outcome := _migrate_one(conn, run_id, target, lock_timeout_ms)) is not None:
            emit(outcome)


def _child(run_id: uuid.UUID, target: str, lock_timeout_ms: int, queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    # alembic's `op` and `context` are module-global proxies, so parallel migrations need processes.
    engine = owner_engine()
    engine.dispose(close=False)
    _drain(engine, run_id, target, lock_timeout_ms, queue.put)
    queue.put(None)


def migrate_fleet(
    engine: Engine,
    *,
    target: str | None = None,
    workers: int = 4,
    lock_timeout_ms: int = 5000,
    on_done: Callable[[Outcome], None] | None = None,
) -> FleetReport:
    """Migrate every commune not at `target` (default: head) with `workers` parallel worker processes."""
    report = FleetReport(run_id=uuid.uuid4(), target=target or tenant_head())
    started = time.perf_counter()

    def record(outcome: Outcome) -> None:
        if outcome.ok:
            report.migrated += 1
            report.durations_ms.append(outcome.duration_ms)
        else:
            report.failures.append((outcome.commune_code, outcome.error or ""))
        if on_done is not None:
            on_done(outcome)

    if workers <= 1:
        _drain(engine, report.run_id, report.target, lock_timeout_ms, record)
    else:
        ctx = multiprocessing.get_context("fork")
        queue = ctx.Queue()
        procs = [
            ctx.Process(target=_child, args=(report.run_id, report.target, lock_timeout_ms, queue), daemon=True)
            for _ in range(workers)
        ]
        for proc in procs:
            proc.start()
        finished = 0
        while finished < len(procs):
            try:
                item = queue.get(timeout=1.0)
            except Empty:
                if all(not p.is_alive() for p in procs) and queue.empty():
                    break
                continue
            if item is None:
                finished += 1
            else:
                record(item)
        for proc in procs:
            proc.join(timeout=10)
    report.seconds = time.perf_counter() - started
    return report
