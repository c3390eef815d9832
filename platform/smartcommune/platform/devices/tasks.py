"""Device background work (Celery, queue `cameras`): presence, rule schedules, command expiry.

Beat sends `periodic` every `DEVICE_SWEEP_INTERVAL_S` (60 s); it fans out one `sweep_commune` per active
commune, which in one short transaction marks devices online/offline by inactivity timeout (notifying
the responsible officials on each change), runs the daily irrigation schedules that are due, and times
out commands that got no answer.
"""

from __future__ import annotations

import structlog
from celery import current_app, shared_task

from smartcommune.platform.devices import service
from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.database import app_engine
from smartcommune.tenants.registry import all_tenant_infos, get_commune, info_from_row
from smartcommune.tenants.session import tenant_transaction

log = structlog.stdlib.get_logger(__name__)
SWEEP_INTERVAL_S = 60.0


def sweep(tenant: TenantInfo) -> dict[str, int]:
    with tenant_transaction(tenant) as db:
        changes = service.update_presence(db, tenant)
        schedules = service.run_schedules(db, tenant)
        expired = service.expire_commands(db)
    figures = {
        "went_offline": sum(1 for _, _, new in changes if new == "offline"),
        "came_online": sum(1 for _, _, new in changes if new == "online"),
        "schedules": len(schedules),
        "commands_timed_out": expired,
    }
    if any(figures.values()):
        log.info("device_sweep", commune=tenant.commune_code, **figures)
    return figures


@shared_task(name="smartcommune.platform.devices.tasks.sweep_commune")
def sweep_commune(commune_code: int) -> dict[str, int]:
    return sweep(info_from_row(get_commune(app_engine(), int(commune_code))))


@shared_task(name="smartcommune.platform.devices.tasks.periodic")
def periodic() -> int:
    """Fan out: one device sweep per active commune."""
    with app_engine().connect() as conn:
        tenants = [t for t in all_tenant_infos(conn) if t.status == "active"]
    for tenant in tenants:
        current_app.send_task("smartcommune.platform.devices.tasks.sweep_commune", args=[tenant.commune_code])
    return len(tenants)
