"""The urgent drain: its own queue (`notifications_urgent`), so emergencies never wait behind a backlog."""

from __future__ import annotations

from celery import shared_task

from smartcommune.platform.notifications.tasks import drain_commune


@shared_task(name="smartcommune.platform.notifications.urgent.drain")
def drain(commune_code: int) -> dict[str, int]:
    return drain_commune(commune_code)
