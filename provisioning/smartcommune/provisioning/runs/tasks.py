"""Celery tasks (queue `provisioning`, by module prefix). Handed to the Celery app by the composition root."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable

import structlog
from celery import current_app, shared_task

from smartcommune.provisioning.runs import service
from smartcommune.tenants.database import owner_engine

log = structlog.get_logger(__name__)
EXECUTE = "smartcommune.provisioning.runs.tasks.execute_run"


# Test hook (the SIGKILL test): "<step>:<seconds>" pauses after that step, so a test can kill the worker
# at a known point. Unset in every deployment.
PAUSE_ENV = "SMARTCOMMUNE_TEST_PAUSE_AFTER_STEP"


def _pause_hook() -> Callable[[str], None] | None:
    raw = os.environ.get(PAUSE_ENV)
    if not raw:
        return None
    step, _, seconds = raw.partition(":")
    return lambda name: time.sleep(float(seconds or 0)) if name == step else None


@shared_task(name=EXECUTE, acks_late=True, reject_on_worker_lost=True)
def execute_run(run_id: str) -> dict[str, object]:
    """Run (or resume) one run. A redelivered message after a worker died resumes where it stopped."""
    outcome = service.execute(owner_engine(), uuid.UUID(run_id), after_step=_pause_hook())
    return {"status": outcome.status, "error": outcome.error, "steps": outcome.executed_steps}


@shared_task(name="smartcommune.provisioning.runs.tasks.resume_stalled")
def resume_stalled(older_than_s: float = 60.0) -> int:
    """Beat: runs left `running` by a worker that died (no executor holds their lock) are sent again."""
    ids = service.stalled(owner_engine(), older_than_s=older_than_s)
    enqueue(ids)
    return len(ids)


def enqueue(run_ids: list[uuid.UUID]) -> None:
    """Send after the runs are committed (outbox rule): the caller has committed already. A message that
    cannot be sent leaves its run pending; `resume_stalled` sends it again later."""
    app = current_app
    for run_id in run_ids:
        try:
            app.send_task(EXECUTE, args=[str(run_id)])
        except Exception:
            log.exception("provisioning_enqueue_failed", run=str(run_id))


BEAT = {
    "provisioning-resume-stalled": {
        "task": "smartcommune.provisioning.runs.tasks.resume_stalled",
        "schedule": 60.0,
    }
}
