"""Celery beat job (queue `provisioning`, by module prefix): measure every active commune."""

from __future__ import annotations

from celery import shared_task

from smartcommune.provisioning.fleet import service
from smartcommune.tenants.database import app_engine

SNAPSHOT = "smartcommune.provisioning.fleet.tasks.snapshot"


@shared_task(name=SNAPSHOT)
def snapshot() -> int:
    return service.snapshot(app_engine())


BEAT = {"fleet-health-snapshot": {"task": SNAPSHOT, "schedule": service.SNAPSHOT_INTERVAL_S}}
