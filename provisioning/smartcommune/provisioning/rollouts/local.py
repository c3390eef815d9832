"""Execute runs in this machine's processes (the CLI and the benchmark), without a Celery worker.

`concurrency` forked worker processes each take run ids from a shared queue (CPU-bound Python work in
the steps would serialise on the GIL in threads). The run engine is the same as the Celery task's, so a
run interrupted here resumes under Celery or a later CLI call, and vice versa.
"""

from __future__ import annotations

import multiprocessing
import uuid
from collections.abc import Callable, Sequence
from queue import Empty
from typing import Any

from smartcommune.provisioning.runs import service as runs
from smartcommune.tenants.database import app_engine, owner_engine


def _child(todo: Any, done: Any) -> None:
    for engine in (owner_engine(), app_engine()):
        engine.dispose(close=False)  # never share the parent's connections
    while True:
        try:
            run_id = todo.get(timeout=0.5)
        except Empty:
            break
        if run_id is None:
            break
        try:
            outcome = runs.execute(owner_engine(), uuid.UUID(run_id))
            done.put((run_id, outcome.commune_code, outcome.status, outcome.error, outcome.seconds))
        except Exception as exc:
            done.put((run_id, None, "failed", f"{type(exc).__name__}: {exc}", 0.0))
    done.put(None)


def execute_local(
    run_ids: Sequence[uuid.UUID],
    *,
    concurrency: int = 2,
    on_done: Callable[[runs.Outcome], None] | None = None,
) -> list[runs.Outcome]:
    outcomes: list[runs.Outcome] = []

    def record(outcome: runs.Outcome) -> None:
        outcomes.append(outcome)
        if on_done is not None:
            on_done(outcome)

    if concurrency <= 1 or len(run_ids) <= 1:
        for run_id in run_ids:
            record(runs.execute(owner_engine(), run_id))
        return outcomes
    ctx = multiprocessing.get_context("fork")
    todo, done = ctx.Queue(), ctx.Queue()
    for run_id in run_ids:
        todo.put(str(run_id))
    workers = min(concurrency, len(run_ids))
    for _ in range(workers):
        todo.put(None)
    procs = [ctx.Process(target=_child, args=(todo, done), daemon=True) for _ in range(workers)]
    for proc in procs:
        proc.start()
    finished = 0
    while finished < workers:
        try:
            item = done.get(timeout=1.0)
        except Empty:
            if all(not p.is_alive() for p in procs) and done.empty():
                break
            continue
        if item is None:
            finished += 1
            continue
        run_id, code, status, error, seconds = item
        record(runs.Outcome(uuid.UUID(run_id), code or 0, status, error, seconds, 0))
    for proc in procs:
        proc.join(timeout=10)
    return outcomes
