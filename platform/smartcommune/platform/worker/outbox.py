"""Jobs enqueued during a request are sent only after its transaction commits.

`enqueue_after_commit(session, "smartcommune.platform.x.tasks.y", ...)` records the send in
`session.info`; an `after_commit` listener sends the recorded jobs once the outermost transaction has
committed, and a rollback drops them (a rolled-back savepoint drops only the jobs recorded inside it).
Sends go through the default Celery app (`make_celery(..., set_default=True)`), or the app stored in
`session.info["celery_app"]`.

Delivery is at most once across a crash between the commit and the send, and a send that fails after the
commit is logged, not raised (the data is committed either way).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import structlog
from celery import Celery, current_app
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from smartcommune.tenants.context import current_request_id

PENDING_KEY = "smartcommune.outbox"
APP_KEY = "celery_app"
log = structlog.stdlib.get_logger(__name__)


@dataclass
class PendingJob:
    task_name: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    task_id: str
    transaction: SessionTransaction | None
    headers: dict[str, Any] = field(default_factory=dict)


def _pending(session: Session) -> list[PendingJob]:
    jobs: list[PendingJob] = session.info.setdefault(PENDING_KEY, [])
    return jobs


def enqueue_after_commit(session: Session, task_name: str, *args: Any, **kwargs: Any) -> str:
    """Send task `task_name(*args, **kwargs)` once `session` commits; returns the task id it will carry."""
    task_id = str(uuid.uuid4())
    transaction = session.get_nested_transaction() or session.get_transaction()
    headers = {"request_id": rid} if (rid := current_request_id.get()) else {}
    _pending(session).append(PendingJob(task_name, args, kwargs, task_id, transaction, headers))
    return task_id


def pending_jobs(session: Session) -> list[PendingJob]:
    return list(session.info.get(PENDING_KEY, ()))


def _within(transaction: SessionTransaction | None, ended: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is ended:
            return True
        transaction = transaction.parent
    return False


@event.listens_for(Session, "after_soft_rollback")
def _drop_rolled_back(session: Session, previous_transaction: SessionTransaction) -> None:
    jobs = session.info.get(PENDING_KEY)
    if not jobs:
        return
    if previous_transaction.parent is None:
        jobs.clear()
        return
    jobs[:] = [job for job in jobs if not _within(job.transaction, previous_transaction)]


@event.listens_for(Session, "after_commit")
def _send_committed(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a released savepoint: its jobs wait for the outermost commit
    jobs = session.info.pop(PENDING_KEY, None)
    if not jobs:
        return
    app: Celery = session.info.get(APP_KEY) or current_app
    for job in jobs:
        try:
            app.send_task(
                job.task_name,
                args=job.args,
                kwargs=job.kwargs,
                task_id=job.task_id,
                headers=job.headers or None,
            )
        except Exception:
            log.exception("outbox_send_failed", task=job.task_name, task_id=job.task_id)
