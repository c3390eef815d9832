"""Platform-level tasks. `commune_stats` proves the wiring: catalog lookup, then a tenant-bound session."""

from __future__ import annotations

import structlog
from celery import shared_task
from sqlalchemy import func, select

from smartcommune.platform.villages.models import Village
from smartcommune.tenants.audit import AuditEntry
from smartcommune.tenants.context import current_tenant
from smartcommune.tenants.database import app_engine
from smartcommune.tenants.registry import get_commune, info_from_row
from smartcommune.tenants.session import tenant_transaction

log = structlog.stdlib.get_logger(__name__)


@shared_task(name="smartcommune.platform.worker.tasks.commune_stats")
def commune_stats(commune_code: int) -> dict[str, int]:
    """Counts of villages and audit entries of one commune, read as that commune's role."""
    tenant = info_from_row(get_commune(app_engine(), int(commune_code)))
    token = current_tenant.set(tenant)
    try:
        with tenant_transaction(tenant) as session:
            villages = session.scalar(select(func.count()).select_from(Village)) or 0
            audit = session.scalar(select(func.count()).select_from(AuditEntry)) or 0
        log.info("commune_stats", villages=villages, audit_log=audit)
        return {"commune_code": tenant.commune_code, "villages": villages, "audit_log": audit}
    finally:
        current_tenant.reset(token)
