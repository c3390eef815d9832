"""SLA escalation: a periodic sweep (Celery beat) over every active commune."""

from __future__ import annotations

import structlog
from celery import shared_task

from smartcommune.platform.reports import service
from smartcommune.tenants.authz.policy import COMMUNE_ADMIN
from smartcommune.tenants.authz.service import holders_of
from smartcommune.tenants.context import TenantInfo, current_tenant
from smartcommune.tenants.database import app_engine
from smartcommune.tenants.registry import all_tenant_infos
from smartcommune.tenants.session import tenant_transaction

log = structlog.stdlib.get_logger(__name__)
ESCALATE_EVERY_S = 300.0


def escalate_commune(tenant: TenantInfo) -> list[int]:
    """One commune, one transaction, as that commune's role: mark overdue reports, notify its admins."""
    token = current_tenant.set(tenant)
    try:
        admins = holders_of(app_engine(), tenant.commune_code, [COMMUNE_ADMIN])
        with tenant_transaction(tenant) as db:
            escalated = service.escalate_overdue(db, admins)
        if escalated:
            log.info("reports_escalated", reports=len(escalated), admins=len(admins))
        return escalated
    finally:
        current_tenant.reset(token)


@shared_task(name="smartcommune.platform.reports.tasks.escalate_overdue")
def escalate_overdue() -> dict[str, int]:
    """Every active commune; a failure in one commune is logged and the sweep goes on."""
    with app_engine().connect() as conn:
        tenants = [t for t in all_tenant_infos(conn) if t.status == "active"]
    total = failed = 0
    for tenant in tenants:
        try:
            total += len(escalate_commune(tenant))
        except Exception:
            failed += 1
            log.exception("reports_escalation_failed", commune=tenant.commune_code)
    return {"communes": len(tenants), "escalated": total, "failed": failed}
