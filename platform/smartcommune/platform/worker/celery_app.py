"""The Celery application factory.

Broker: `settings.broker_url` (Redis, RabbitMQ) or, when empty, kombu's SQLAlchemy transport on the same
PostgreSQL (`sqla+postgresql+psycopg://…`, tables `kombu_queue`/`kombu_message` in the owner's default
schema): no extra server on a single machine. Results go to the database (`db+postgresql+psycopg://…`,
tables `celery_taskmeta`/`celery_tasksetmeta`) unless `RESULT_BACKEND_URL` says otherwise.

`celery -A smartcommune.platform.worker.celery_app:app worker` works too: `app` is built lazily from the
process settings on first access.
"""

from __future__ import annotations

import os
from datetime import timedelta
from functools import lru_cache
from typing import Any

from celery import Celery, signals
from kombu import Connection, Exchange, Queue

from smartcommune.tenants.database import owner_url
from smartcommune.tenants.settings import Settings, get_settings

QUEUES = ("default", "provisioning", "notifications", "notifications_urgent", "cameras")
DEFAULT_QUEUE = "default"
# Task name prefix → queue. Task names are their dotted module paths, so this routes by module.
ROUTES_BY_PREFIX: tuple[tuple[str, str], ...] = (
    ("smartcommune.provisioning.", "provisioning"),
    ("smartcommune.platform.notifications.urgent.", "notifications_urgent"),  # before its parent prefix
    ("smartcommune.platform.notifications.", "notifications"),
    ("smartcommune.platform.cameras.", "cameras"),
    ("smartcommune.platform.devices.", "cameras"),
)
TASK_MODULES = (
    "smartcommune.platform.worker.tasks",
    "smartcommune.platform.reports.tasks",
    "smartcommune.platform.notifications.tasks",
    "smartcommune.platform.notifications.urgent",
    "smartcommune.platform.devices.tasks",
)
# Periodic work (`celery beat`): name → (task, seconds).
BEAT_SCHEDULE: dict[str, dict[str, Any]] = {
    "reports-escalate-overdue": {
        "task": "smartcommune.platform.reports.tasks.escalate_overdue",
        "schedule": 300.0,
    },
    "notifications-sweep": {
        "task": "smartcommune.platform.notifications.tasks.sweep",
        "schedule": 30.0,
    },
    # Device presence (offline by inactivity), irrigation schedules, command expiry: one sweep per commune.
    "devices-sweep": {
        "task": "smartcommune.platform.devices.tasks.periodic",
        "schedule": 60.0,
    },
}


def broker_url(settings: Settings) -> str:
    return settings.broker_url or "sqla+" + owner_url()


def result_backend_url(settings: Settings) -> str:
    configured = getattr(settings, "result_backend_url", "") or os.environ.get("RESULT_BACKEND_URL", "")
    return str(configured) or "db+" + owner_url()


def queue_name(name: str, namespace: str = "") -> str:
    return f"{namespace}.{name}" if namespace else name


def queue_for_task(name: str) -> str:
    for prefix, queue in ROUTES_BY_PREFIX:
        if name.startswith(prefix):
            return queue
    return DEFAULT_QUEUE


class PrefixRouter:
    """A Celery router: `task_routes` entry mapping a task name to its queue by module prefix."""

    def __init__(self, namespace: str = "") -> None:
        self.namespace = namespace

    def __call__(self, name: str, args: Any, kwargs: Any, options: Any, task: Any = None, **kw: Any) -> dict[str, str]:
        return {"queue": queue_name(queue_for_task(name), self.namespace)}


def make_celery(
    settings: Settings,
    *,
    namespace: str = "",
    set_default: bool = True,
    extra_task_modules: tuple[str, ...] = (),
    extra_beat: dict[str, dict[str, Any]] | None = None,
) -> Celery:
    """Build the Celery app.

    `namespace` prefixes every queue name (`<namespace>.default`, …) so several deployments or test runs
    can share one Redis or RabbitMQ. With `set_default`, the app becomes the process default, which
    `shared_task` tasks and the outbox send through. Layers above the platform (provisioning) hand their
    task modules and schedules in through the composition root.
    """
    queues = [
        Queue(
            queue_name(q, namespace),
            Exchange(queue_name(q, namespace), type="direct"),
            routing_key=queue_name(q, namespace),
        )
        for q in QUEUES
    ]
    app = Celery("smartcommune", include=[*TASK_MODULES, *extra_task_modules])
    # Resolved when the configuration is first read, not at import: building the app must not start the
    # embedded PostgreSQL nor freeze a DATABASE_URL that tests or `smartcommune run` set afterwards.
    app.add_defaults(lambda: {"broker_url": broker_url(settings), "result_backend": result_backend_url(settings)})
    app.conf.update(
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        result_accept_content=["json"],
        task_queues=queues,
        task_default_queue=queue_name(DEFAULT_QUEUE, namespace),
        task_default_exchange=queue_name(DEFAULT_QUEUE, namespace),
        task_default_routing_key=queue_name(DEFAULT_QUEUE, namespace),
        task_routes=(PrefixRouter(namespace),),
        # A task is acknowledged only once it finished; a worker killed mid-task hands it back.
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        # Long tasks (provisioning, camera probes): never reserve more than the one being run.
        worker_prefetch_multiplier=1,
        result_expires=timedelta(days=1),
        result_extended=True,
        broker_connection_retry_on_startup=True,
        enable_utc=True,
        timezone="Asia/Ho_Chi_Minh",
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
        beat_schedule={**BEAT_SCHEDULE, **(extra_beat or {})},
    )
    if set_default:
        app.set_default()
    return app


@signals.setup_logging.connect(weak=False)
def _setup_logging(**_: Any) -> None:
    """Workers log like the API (JSON, commune and task id on every line) instead of Celery's format."""
    from smartcommune.platform.observability.logging import configure_logging

    configure_logging()


@signals.task_prerun.connect(weak=False)
def _bind_task(task_id: str | None = None, task: Any = None, **_: Any) -> None:
    import structlog

    structlog.contextvars.bind_contextvars(task_id=task_id, task=getattr(task, "name", None))


@signals.task_postrun.connect(weak=False)
def _unbind_task(**_: Any) -> None:
    import structlog

    structlog.contextvars.unbind_contextvars("task_id", "task")


def check_broker(settings: Settings | None = None, *, timeout: float = 3.0) -> None:
    """Raise unless the broker answers (readiness). For the SQL transport this runs a query on it."""
    url = broker_url(settings or get_settings())
    with Connection(url, connect_timeout=timeout) as conn:
        conn.ensure_connection(max_retries=1, timeout=timeout)
        channel: Any = conn.default_channel
        if url.startswith(("sqla+", "sqlalchemy+")):
            from sqlalchemy import text

            channel.session.execute(text("SELECT 1"))
            channel.session.rollback()


@lru_cache
def get_celery() -> Celery:
    """The process-wide app, built from the process settings."""
    return make_celery(get_settings())


def __getattr__(name: str) -> Any:
    if name == "app":
        return get_celery()
    raise AttributeError(name)
