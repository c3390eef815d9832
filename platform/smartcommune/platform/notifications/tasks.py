"""Celery tasks of the delivery outbox (queue `notifications`; urgent drains go to `notifications_urgent`).

- `drain(commune_code)`: sent after an announcement's transaction commits.
- `sweep()`: periodic (beat): publishes due scheduled announcements and drains every commune's outbox,
  so a message queued while the broker was down is only delayed, never lost.
"""

from __future__ import annotations

import structlog
from celery import shared_task
from sqlalchemy import exists, select

from smartcommune.platform.announcements import delivery, service
from smartcommune.platform.announcements.models import Delivery
from smartcommune.tenants.context import TenantInfo, current_tenant
from smartcommune.tenants.database import app_engine
from smartcommune.tenants.registry import all_tenant_infos, get_commune, info_from_row
from smartcommune.tenants.session import tenant_transaction

log = structlog.stdlib.get_logger(__name__)


def drain_commune(commune_code: int) -> dict[str, int]:
    tenant = info_from_row(get_commune(app_engine(), int(commune_code)))
    if tenant.status != "active":
        return {"sent": 0, "failed": 0, "retry": 0}
    token = current_tenant.set(tenant)
    try:
        return delivery.drain(tenant).as_dict()
    finally:
        current_tenant.reset(token)


def sweep_commune(tenant: TenantInfo) -> dict[str, int]:
    token = current_tenant.set(tenant)
    try:
        with tenant_transaction(tenant) as db:
            published = service.publish_due(db, tenant)
            pending = db.scalar(select(exists().where(Delivery.status == "queued")))
        drained = delivery.drain(tenant).as_dict() if pending or published else {}
        return {"published": published, **drained}
    finally:
        current_tenant.reset(token)


@shared_task(name="smartcommune.platform.notifications.tasks.drain")
def drain(commune_code: int) -> dict[str, int]:
    return drain_commune(commune_code)


@shared_task(name="smartcommune.platform.notifications.tasks.sweep")
def sweep() -> dict[str, int]:
    with app_engine().connect() as conn:
        tenants = [t for t in all_tenant_infos(conn) if t.status == "active"]
    totals = {"communes": 0, "published": 0, "sent": 0, "failed": 0}
    for tenant in tenants:
        try:
            outcome = sweep_commune(tenant)
        except Exception:  # one commune's failure must not stop the others
            log.exception("sweep_failed", commune=tenant.commune_code)
            continue
        totals["communes"] += 1
        for key in ("published", "sent", "failed"):
            totals[key] += outcome.get(key, 0)
    return totals
