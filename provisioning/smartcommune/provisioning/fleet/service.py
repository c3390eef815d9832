"""Measure each commune's health in its own transaction, keep the last figures in `control.fleet_health`,
and answer the console from that table: a page of communes costs two queries whatever the fleet size."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import structlog
from sqlalchemy import ColumnElement, Engine, Select, func, or_, select, true
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import SQLAlchemyError

from smartcommune.platform.cameras.models import Camera
from smartcommune.platform.devices.models import Device
from smartcommune.platform.reports.models import OPEN_STATUSES, Report
from smartcommune.provisioning.fleet.models import FleetHealth
from smartcommune.provisioning.fleet.schemas import (
    FleetHealthOut,
    FleetTotals,
    HealthFilter,
    MapPointOut,
    RolloutSummaryOut,
)
from smartcommune.provisioning.runs.service import FINAL
from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.control.models import BillingAccount, ProvisioningRollout, ProvisioningRun, Tenant
from smartcommune.tenants.official_list import fold
from smartcommune.tenants.registry import all_tenant_infos, get_commune, info_from_row
from smartcommune.tenants.session import tenant_transaction

log = structlog.stdlib.get_logger(__name__)
SNAPSHOT_INTERVAL_S = 300.0
BATCH = 500
COUNTS = ("cameras_total", "cameras_offline", "devices_total", "devices_offline", "reports_open", "reports_overdue")


@dataclass(frozen=True)
class Measurement:
    tenant_id: Any
    commune_code: int
    counts: dict[str, int] | None  # None: the commune could not be measured
    error: str | None = None


def measure(tenant: TenantInfo) -> dict[str, int]:
    """One statement in the commune's own transaction (SET LOCAL ROLE): three one-row aggregates."""
    cameras = select(
        func.count().label("total"), func.count().filter(Camera.status == "offline").label("offline")
    ).subquery()
    devices = select(
        func.count().label("total"), func.count().filter(Device.presence == "offline").label("offline")
    ).subquery()
    reports = (
        select(func.count().label("total"), func.count().filter(Report.sla_due_at < func.now()).label("overdue"))
        .where(Report.status.in_(OPEN_STATUSES))
        .subquery()
    )
    with tenant_transaction(tenant) as db:
        row = db.execute(
            select(
                cameras.c.total,
                cameras.c.offline,
                devices.c.total,
                devices.c.offline,
                reports.c.total,
                reports.c.overdue,
            ).select_from(cameras.join(devices, true()).join(reports, true()))
        ).one()
    return dict(zip(COUNTS, (int(v) for v in row), strict=True))


def _measure_safely(tenant: TenantInfo) -> Measurement:
    try:
        return Measurement(tenant.id, tenant.commune_code, measure(tenant))
    except SQLAlchemyError as exc:  # e.g. a schema not yet migrated: the rest of the fleet goes on
        log.warning("fleet_health_failed", commune=tenant.commune_code, error=type(exc).__name__)
        reason = str(getattr(exc, "orig", exc)).splitlines()[0] if str(exc) else type(exc).__name__
        return Measurement(tenant.id, tenant.commune_code, None, reason[:300])


def _store(engine: Engine, measurements: Sequence[Measurement]) -> None:
    stmt = insert(FleetHealth)
    with engine.begin() as conn:
        for ok in (True, False):  # one statement per shape: measured rows, and failures (counts kept)
            rows = [m for m in measurements if (m.counts is not None) == ok]
            if not rows:
                continue
            values = [
                {
                    "tenant_id": m.tenant_id,
                    "commune_code": m.commune_code,
                    **(m.counts or {}),
                    "problems": sum((m.counts or {}).get(k, 0) for k in _PROBLEMS),
                    "error": m.error,
                }
                for m in rows
            ]
            updated = [*COUNTS, "problems"] if ok else []
            conn.execute(
                stmt.values(values).on_conflict_do_update(
                    index_elements=[FleetHealth.tenant_id],
                    set_={
                        **{c: stmt.excluded[c] for c in updated},
                        "error": stmt.excluded.error,
                        "computed_at": func.now(),
                    },
                )
            )


_PROBLEMS = ("cameras_offline", "devices_offline", "reports_overdue")


def snapshot(engine: Engine, tenants: Sequence[TenantInfo] | None = None) -> int:
    """Measure `tenants` (default: every active commune) and store the figures, in batches."""
    if tenants is None:
        with engine.connect() as conn:
            tenants = [t for t in all_tenant_infos(conn) if t.status == "active"]
    for start in range(0, len(tenants), BATCH):
        _store(engine, [_measure_safely(t) for t in tenants[start : start + BATCH]])
    return len(tenants)


def refresh(engine: Engine, key: str) -> FleetHealthOut:
    """Measure one commune now (the console's "measure again"); an unknown commune is a 404."""
    tenant = info_from_row(get_commune(engine, key))
    snapshot(engine, [tenant])
    items, _ = page(engine, commune_code=tenant.commune_code, limit=1)
    return items[0]


def _joined(columns: Sequence[Any]) -> Select[Any]:
    return (
        select(*columns)
        .select_from(Tenant)
        .outerjoin(FleetHealth, FleetHealth.tenant_id == Tenant.id)
        .outerjoin(BillingAccount, BillingAccount.tenant_id == Tenant.id)
    )


def _conditions(
    q: str | None, province_code: int | None, status: str | None, only: HealthFilter | None, commune_code: int | None
) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = []
    if q and q.strip():
        needle = f"%{fold(q.strip())}%"
        conds.append(or_(Tenant.search_text.like(needle), Tenant.slug.like(needle)))
    if province_code is not None:
        conds.append(Tenant.province_code == province_code)
    if status is not None:
        conds.append(Tenant.status == status)
    if commune_code is not None:
        conds.append(Tenant.commune_code == commune_code)
    if only == "problems":
        conds.append(FleetHealth.problems > 0)
    elif only == "cameras":
        conds.append(FleetHealth.cameras_offline > 0)
    elif only == "devices":
        conds.append(FleetHealth.devices_offline > 0)
    elif only == "reports":
        conds.append(FleetHealth.reports_overdue > 0)
    elif only == "unmeasured":
        conds.append(FleetHealth.tenant_id.is_(None))
    return conds


def page(
    engine: Engine,
    *,
    q: str | None = None,
    province_code: int | None = None,
    status: str | None = None,
    only: HealthFilter | None = None,
    commune_code: int | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[FleetHealthOut], int]:
    """Worst first (most problems), then by name."""
    conds = _conditions(q, province_code, status, only, commune_code)
    columns = [
        Tenant.commune_code,
        Tenant.slug,
        Tenant.name,
        Tenant.province_code,
        Tenant.province_name,
        Tenant.status,
        Tenant.template,
        Tenant.plan,
        *(getattr(FleetHealth, c) for c in COUNTS),
        FleetHealth.error,
        FleetHealth.computed_at,
        BillingAccount.status.label("billing_status"),
        BillingAccount.plan_code.label("billing_plan"),
        BillingAccount.unpaid_since,
    ]
    with engine.connect() as conn:
        total = conn.execute(_joined([func.count()]).where(*conds)).scalar_one()
        rows = conn.execute(
            _joined(columns)
            .where(*conds)
            .order_by(func.coalesce(FleetHealth.problems, -1).desc(), Tenant.name, Tenant.commune_code)
            .limit(limit)
            .offset(offset)
        ).mappings()
        return [FleetHealthOut.model_validate(dict(r)) for r in rows], int(total)


def totals(engine: Engine) -> FleetTotals:
    with engine.connect() as conn:
        row = conn.execute(
            _joined(
                [
                    func.count(),
                    func.count(FleetHealth.tenant_id),
                    func.coalesce(func.sum(FleetHealth.cameras_offline), 0),
                    func.coalesce(func.sum(FleetHealth.devices_offline), 0),
                    func.coalesce(func.sum(FleetHealth.reports_overdue), 0),
                    func.min(FleetHealth.computed_at),
                ]
            )
        ).one()
    return FleetTotals(
        communes=row[0],
        measured=row[1],
        cameras_offline=row[2],
        devices_offline=row[3],
        reports_overdue=row[4],
        oldest_measurement=row[5],
    )


def map_points(engine: Engine) -> list[MapPointOut]:
    """Every onboarded commune, for the map: one query over the control schema."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                Tenant.commune_code, Tenant.slug, Tenant.name, Tenant.province_code, Tenant.status, FleetHealth.problems
            )
            .select_from(Tenant)
            .outerjoin(FleetHealth, FleetHealth.tenant_id == Tenant.id)
            .order_by(Tenant.commune_code)
        ).mappings()
        return [MapPointOut.model_validate(dict(r)) for r in rows]


def recent_rollouts(engine: Engine, limit: int = 20) -> list[RolloutSummaryOut]:
    """The newest rollouts with their runs counted, in one grouped query."""
    finished = ProvisioningRun.status.in_(FINAL)
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                ProvisioningRollout.id,
                ProvisioningRollout.scope,
                ProvisioningRollout.template,
                ProvisioningRollout.requested_by,
                ProvisioningRollout.created_at,
                func.count(ProvisioningRun.id).label("total"),
                func.count(ProvisioningRun.id).filter(finished).label("finished"),
                func.count(ProvisioningRun.id).filter(ProvisioningRun.status == "failed").label("failed"),
                func.jsonb_array_length(ProvisioningRollout.rejected).label("rejected"),
            )
            .outerjoin(ProvisioningRun, ProvisioningRun.rollout_id == ProvisioningRollout.id)
            .group_by(ProvisioningRollout.id)
            .order_by(ProvisioningRollout.created_at.desc(), ProvisioningRollout.id)
            .limit(limit)
        ).mappings()
        return [RolloutSummaryOut.model_validate(dict(r)) for r in rows]
