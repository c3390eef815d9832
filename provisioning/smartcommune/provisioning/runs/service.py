"""Create, execute, resume and cancel provisioning runs.

A run is a row in `control.provisioning_runs` with one row per step in `control.provisioning_steps`.
`execute(run_id)` walks the steps in order, skipping those already `succeeded`, so a run killed at any
point (worker SIGKILL) resumes at the step that did not finish, and re-executing a finished run changes
nothing. One executor per run at a time: it holds a transaction-scoped advisory lock on a connection of
its own for as long as it works (a killed worker's connection closes and frees the lock).

Errors: `Transient` (and database connection errors) are retried in place with exponential backoff;
anything else stops that run as `failed` with the step's message; other runs are not affected.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import structlog
from sqlalchemy import Connection, Engine, and_, func, or_, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from smartcommune.platform.cameras import secrets
from smartcommune.provisioning.runs.schemas import RunSpec
from smartcommune.provisioning.runs.steps import STEPS, StepContext
from smartcommune.tenants.control.models import ProvisioningRun, ProvisioningStep
from smartcommune.tenants.errors import AppError, Conflict, InvalidInput, NotFound

log = structlog.get_logger(__name__)

ACTIVE = ("pending", "running")
FINAL = ("succeeded", "failed", "cancelled")
RETRIES = 3
BACKOFF_S = 0.5
LOCK_NS = "sc_prov_run"


class Transient(Exception):
    """A failure worth retrying (a service that did not answer, a lock timeout)."""


def now() -> datetime:
    return datetime.now(UTC)


# -- the run's stored spec: camera passwords sealed --------------------------------------------------
def seal_spec(spec: RunSpec) -> dict[str, Any]:
    data = spec.model_dump(mode="json")
    for cam in data["cameras"]:
        if cam.get("password"):
            cam["password"] = {"enc": secrets.encrypt(cam["password"])}
    return data


def open_spec(data: dict[str, Any]) -> RunSpec:
    data = {**data, "cameras": [dict(c) for c in data.get("cameras", [])]}
    for cam in data["cameras"]:
        if isinstance(cam.get("password"), dict):
            cam["password"] = secrets.decrypt(cam["password"]["enc"])
    return RunSpec.model_validate(data)


# -- creation ------------------------------------------------------------------------------------------
def _step_rows(run_id: uuid.UUID) -> list[dict[str, Any]]:
    return [
        {"run_id": run_id, "name": name, "position": i, "status": "pending", "output": {}}
        for i, (name, _) in enumerate(STEPS)
    ]


def create_runs(conn: Connection, specs: Sequence[RunSpec], *, rollout_id: uuid.UUID | None = None) -> list[uuid.UUID]:
    """Runs (and their steps) in the caller's transaction. A commune with an active run is refused."""
    if not specs:
        return []
    codes = [s.commune_code for s in specs]
    busy = set(
        conn.execute(
            select(ProvisioningRun.commune_code).where(
                ProvisioningRun.commune_code.in_(codes), ProvisioningRun.status.in_(ACTIVE)
            )
        ).scalars()
    )
    if busy:
        raise Conflict(
            "Xã đang có lượt khởi tạo chưa xong: " + ", ".join(map(str, sorted(busy))),
            f"Communes with a run in progress: {sorted(busy)}",
            code="run_in_progress",
            commune_codes=sorted(busy),
        )
    ids, runs, steps = [], [], []
    for spec in specs:
        run_id = uuid.uuid4()
        ids.append(run_id)
        runs.append(
            {
                "id": run_id,
                "rollout_id": rollout_id,
                "commune_code": spec.commune_code,
                "slug": spec.slug,
                "template": spec.template,
                "spec": seal_spec(spec),
                "status": "pending",
                "attempts": 0,
            }
        )
        steps += _step_rows(run_id)
    for chunk in range(0, len(runs), 500):
        conn.execute(pg_insert(ProvisioningRun), runs[chunk : chunk + 500])
    for chunk in range(0, len(steps), 5000):
        conn.execute(pg_insert(ProvisioningStep), steps[chunk : chunk + 5000])
    return ids


def create_run(engine: Engine, spec: RunSpec) -> uuid.UUID:
    from smartcommune.provisioning.templates.spec import shipped

    shipped(spec.template)  # an unknown template is refused now, not in a worker
    with engine.begin() as conn:
        (run_id,) = create_runs(conn, [spec])
    return run_id


# -- reading -------------------------------------------------------------------------------------------
def get_run(engine: Engine, run_id: uuid.UUID) -> tuple[ProvisioningRun, list[ProvisioningStep]]:
    with Session(engine, expire_on_commit=False) as s:
        run = s.get(ProvisioningRun, run_id)
        if run is None:
            raise NotFound("Không tìm thấy lượt khởi tạo.", "Provisioning run not found.", code="run_not_found")
        steps = list(
            s.scalars(
                select(ProvisioningStep).where(ProvisioningStep.run_id == run_id).order_by(ProvisioningStep.position)
            )
        )
        return run, steps


def list_runs(
    engine: Engine,
    *,
    rollout_id: uuid.UUID | None = None,
    status: str | None = None,
    commune_code: int | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[ProvisioningRun], int]:
    conds = []
    if rollout_id is not None:
        conds.append(ProvisioningRun.rollout_id == rollout_id)
    if status is not None:
        conds.append(ProvisioningRun.status == status)
    if commune_code is not None:
        conds.append(ProvisioningRun.commune_code == commune_code)
    with Session(engine, expire_on_commit=False) as s:
        total = s.scalar(select(func.count()).select_from(ProvisioningRun).where(*conds)) or 0
        items = s.scalars(
            select(ProvisioningRun)
            .where(*conds)
            .order_by(ProvisioningRun.created_at.desc(), ProvisioningRun.commune_code)
            .limit(limit)
            .offset(offset)
        ).all()
        return list(items), total


# -- cancel / resume -----------------------------------------------------------------------------------
def cancel(engine: Engine, run_ids: Iterable[uuid.UUID]) -> int:
    """Pending and running runs stop before their next step (a step under way finishes first)."""
    with engine.begin() as conn:
        result = conn.execute(
            update(ProvisioningRun)
            .where(ProvisioningRun.id.in_(list(run_ids)), ProvisioningRun.status.in_(ACTIVE))
            .values(status="cancelled", finished_at=func.now(), error="Đã huỷ / cancelled")
        )
        return result.rowcount or 0


def reopen(engine: Engine, run_ids: Iterable[uuid.UUID]) -> list[uuid.UUID]:
    """Failed or cancelled runs go back to pending (their succeeded steps stay done)."""
    with engine.begin() as conn:
        return list(
            conn.execute(
                update(ProvisioningRun)
                .where(ProvisioningRun.id.in_(list(run_ids)), ProvisioningRun.status.in_(("failed", "cancelled")))
                .values(status="pending", error=None, finished_at=None)
                .returning(ProvisioningRun.id)
            ).scalars()
        )


# -- execution -----------------------------------------------------------------------------------------
@dataclass
class Outcome:
    run_id: uuid.UUID
    commune_code: int
    status: str
    error: str | None
    seconds: float
    executed_steps: int


def _try_lock(conn: Connection, run_id: uuid.UUID) -> bool:
    return bool(
        conn.execute(
            text("SELECT pg_try_advisory_xact_lock(hashtext(:ns), hashtext(:id))"), {"ns": LOCK_NS, "id": str(run_id)}
        ).scalar()
    )


def is_locked(engine: Engine, run_id: uuid.UUID) -> bool:
    with engine.begin() as conn:
        return not _try_lock(conn, run_id)


def _message(exc: BaseException) -> str:
    if isinstance(exc, AppError):
        return f"{exc.code}: {exc.message_vi} / {exc.message_en}"
    return f"{type(exc).__name__}: {exc}"[:2000]


def execute(
    engine: Engine,
    run_id: uuid.UUID,
    *,
    sleep: Callable[[float], None] = time.sleep,
    after_step: Callable[[str], None] | None = None,
) -> Outcome:
    """Run (or resume) one run to its end. Safe to call again at any time, from any process."""
    started = time.perf_counter()
    # Two connections for the whole run: one holds the run's lock, one writes its records (a pool checkout,
    # with its liveness ping, per record would cost more than the record).
    with engine.connect() as lock_conn, lock_conn.begin(), engine.connect() as book:
        if not _try_lock(lock_conn, run_id):
            run, _ = get_run(engine, run_id)
            return Outcome(run_id, run.commune_code, "busy", None, 0.0, 0)
        run, steps = get_run(engine, run_id)
        if run.status in FINAL:
            return Outcome(run_id, run.commune_code, run.status, run.error, time.perf_counter() - started, 0)
        with book.begin():
            book.execute(
                update(ProvisioningRun)
                .where(ProvisioningRun.id == run_id)
                .values(
                    status="running",
                    attempts=ProvisioningRun.attempts + 1,
                    started_at=func.coalesce(ProvisioningRun.started_at, func.now()),
                )
            )
        ctx = StepContext(
            engine=engine, run_id=run_id, spec=open_spec(run.spec), outputs={s.name: s.output for s in steps}
        )
        by_name = {s.name: s for s in steps}
        executed = 0
        for name, fn in STEPS:
            if by_name[name].status in ("succeeded", "skipped"):
                continue
            error = _run_step(book, ctx, name, fn, sleep)
            if error is _CANCELLED:
                return Outcome(run_id, run.commune_code, "cancelled", None, time.perf_counter() - started, executed)
            executed += 1
            if error is not None:
                with book.begin():
                    book.execute(
                        update(ProvisioningRun)
                        .where(ProvisioningRun.id == run_id)
                        .values(status="failed", error=f"{name}: {error}", finished_at=func.now())
                    )
                log.warning("provisioning_run_failed", run=str(run_id), step=name, error=error)
                return Outcome(run_id, run.commune_code, "failed", error, time.perf_counter() - started, executed)
            if after_step is not None:
                after_step(name)
        with book.begin():
            book.execute(
                update(ProvisioningRun)
                .where(ProvisioningRun.id == run_id, ProvisioningRun.status == "running")
                .values(status="succeeded", current_step=None, error=None, finished_at=func.now())
            )
    return Outcome(run_id, run.commune_code, "succeeded", None, time.perf_counter() - started, executed)


_CANCELLED = "cancelled"


def _bookkeeping(conn: Connection) -> None:
    """Step records need not wait for their WAL flush: were the server to lose the last few of them, those
    steps would run again, and every step is idempotent. (Order is kept: a lost record never outlives a
    later one.) This saves a disk flush per record, two per step."""
    conn.execute(text("SET LOCAL synchronous_commit = off"))


def _run_step(
    book: Connection,
    ctx: StepContext,
    name: str,
    fn: Callable[[StepContext], dict[str, Any] | None],
    sleep: Callable[[float], None],
) -> str | None:
    """Run one step with retries; record it. Returns None on success, `_CANCELLED` when the run was cancelled
    before the step began, else the error message."""
    for attempt in range(1, RETRIES + 1):
        with book.begin():
            _bookkeeping(book)
            # One round trip checks for a cancel and marks the step: a cancelled run starts no new step.
            if (
                book.execute(
                    update(ProvisioningRun)
                    .where(ProvisioningRun.id == ctx.run_id, ProvisioningRun.status != "cancelled")
                    .values(current_step=name)
                    .returning(ProvisioningRun.id)
                ).first()
                is None
            ):
                return _CANCELLED
            book.execute(
                update(ProvisioningStep)
                .where(ProvisioningStep.run_id == ctx.run_id, ProvisioningStep.name == name)
                .values(status="running", attempts=ProvisioningStep.attempts + 1, started_at=func.now(), error=None)
            )
        t0 = time.perf_counter()
        try:
            output = fn(ctx)
        except (Transient, OperationalError) as exc:
            message = _message(exc)
            if attempt < RETRIES:
                _record(book, ctx.run_id, name, "retrying", t0, error=message)
                sleep(BACKOFF_S * 2 ** (attempt - 1))
                continue
            _record(book, ctx.run_id, name, "failed", t0, error=message)
            return message
        except (AppError, InvalidInput, ValueError) as exc:
            message = _message(exc)
            _record(book, ctx.run_id, name, "failed", t0, error=message)
            return message
        except Exception as exc:
            message = _message(exc)
            log.exception("provisioning_step_crashed", run=str(ctx.run_id), step=name)
            _record(book, ctx.run_id, name, "failed", t0, error=message)
            return message
        status = "skipped" if output is not None and output.get("skipped") else "succeeded"
        ctx.outputs[name] = output or {}
        _record(book, ctx.run_id, name, status, t0, output=output or {})
        return None
    return "unreachable"


def _record(
    book: Connection,
    run_id: uuid.UUID,
    name: str,
    status: str,
    t0: float,
    *,
    error: str | None = None,
    output: dict[str, Any] | None = None,
) -> None:
    values: dict[str, Any] = {
        "status": status,
        "finished_at": func.now(),
        "duration_ms": (time.perf_counter() - t0) * 1000,
        "error": error,
    }
    if output is not None:
        values["output"] = output
    with book.begin():
        _bookkeeping(book)
        book.execute(
            update(ProvisioningStep)
            .where(ProvisioningStep.run_id == run_id, ProvisioningStep.name == name)
            .values(**values)
        )


def stalled(engine: Engine, *, older_than_s: float = 60.0, limit: int = 500) -> list[uuid.UUID]:
    """Active runs no executor holds (their worker died): candidates to enqueue again."""
    with engine.connect() as conn:
        ids = list(
            conn.execute(
                select(ProvisioningRun.id)
                .where(
                    or_(
                        and_(
                            ProvisioningRun.status == "running",
                            ProvisioningRun.started_at < func.now() - text(f"interval '{float(older_than_s)} seconds'"),
                        ),
                        # never picked up (the broker lost the message, or was down when it was sent)
                        and_(
                            ProvisioningRun.status == "pending",
                            ProvisioningRun.created_at < func.now() - text("interval '10 minutes'"),
                        ),
                    )
                )
                .limit(limit)
            ).scalars()
        )
    return [run_id for run_id in ids if not is_locked(engine, run_id)]
