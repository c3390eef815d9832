"""Daily billing jobs (run by Celery beat): usage meter events for yesterday, then dunning."""

from __future__ import annotations

from datetime import date, timedelta

from celery import shared_task

from smartcommune.provisioning.billing import service


@shared_task(name="smartcommune.provisioning.billing.tasks.daily_billing")
def daily_billing(day: str | None = None) -> dict[str, int]:
    measured = date.fromisoformat(day) if day else date.today() - timedelta(days=1)
    lines = service.report_usage(measured)
    dunning = service.run_dunning()
    return {
        "usage_events_sent": sum(1 for line in lines if line.sent),
        "noticed": len(dunning.noticed),
        "suspended": len(dunning.suspended),
    }
