"""Criteria snapshots and province roll-ups. Once a day the beat sends `snapshot_all`, which fans out one
`snapshot_commune` per active commune, and `rollup_all`, which fans out one `rollup_province` per province
with an active commune. Recomputing the current month replaces its rows, so each month keeps its last
value: the commune snapshots in each commune's schema, the province roll-ups in `control`."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from smartcommune.platform.insight import service
from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.database import app_engine
from smartcommune.tenants.registry import all_tenant_infos, get_commune, info_from_row
from smartcommune.tenants.session import tenant_transaction

BEAT: dict[str, dict[str, Any]] = {
    "criteria-snapshots-daily": {"task": "smartcommune.platform.insight.tasks.snapshot_all", "schedule": 86400.0},
    "criteria-rollups-daily": {"task": "smartcommune.platform.insight.tasks.rollup_all", "schedule": 86400.0},
}


def _active() -> list[TenantInfo]:
    with app_engine().connect() as conn:
        return [t for t in all_tenant_infos(conn) if t.status == "active"]


@shared_task(name="smartcommune.platform.insight.tasks.snapshot_commune")
def snapshot_commune(commune_code: int, month: str | None = None) -> dict[str, float | None]:
    tenant = info_from_row(get_commune(app_engine(), commune_code))
    with tenant_transaction(tenant) as db:
        taken, indicators = service.take_snapshot(db, month, actor="system:criteria", actor_kind="system")
    return {"month": taken, **{i.code: i.value_percent for i in indicators}}  # type: ignore[dict-item]


@shared_task(name="smartcommune.platform.insight.tasks.snapshot_all")
def snapshot_all() -> int:
    codes = [t.commune_code for t in _active()]
    for code in codes:
        snapshot_commune.delay(code)
    return len(codes)


@shared_task(name="smartcommune.platform.insight.tasks.rollup_province")
def rollup_province(province_code: int, month: str | None = None) -> dict[str, Any]:
    tenants = [t for t in _active() if t.province_code == province_code]
    rolled = service.snapshot_rollup(province_code, tenants, month)
    return {k: rolled[k] for k in ("province_code", "month", "communes", "communes_without_snapshot")}


@shared_task(name="smartcommune.platform.insight.tasks.rollup_all")
def rollup_all() -> int:
    provinces = sorted({t.province_code for t in _active()})
    for code in provinces:
        rollup_province.delay(code)
    return len(provinces)
