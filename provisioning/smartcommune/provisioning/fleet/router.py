"""Provider API of fleet health: a page of communes with their last measurement, totals, map points."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from smartcommune.platform.http.auth import authorize_provider
from smartcommune.provisioning.fleet import service
from smartcommune.provisioning.fleet.schemas import (
    FleetHealthOut,
    FleetHealthPage,
    FleetTotals,
    HealthFilter,
    MapPointOut,
    RolloutSummaryOut,
)
from smartcommune.tenants.control.models import AbuseAlarm
from smartcommune.tenants.database import app_engine
from smartcommune.tenants.principal import Principal

router = APIRouter(prefix="/api/provider/v1/fleet", tags=["provider: fleet health"])


@router.get("/health", response_model=FleetHealthPage)
def fleet_health(
    q: str | None = Query(default=None, max_length=100),
    province_code: int | None = None,
    status: Literal["active", "suspended"] | None = None,
    only: HealthFilter | None = None,
    limit: int = Query(default=50, ge=1, le=500),
    offset: int = Query(default=0, ge=0),
    _: Principal = Depends(authorize_provider("fleet", "read")),
) -> FleetHealthPage:
    """Worst communes first. Figures are at most `interval_s` old (a beat job measures every commune)."""
    items, total = service.page(
        app_engine(), q=q, province_code=province_code, status=status, only=only, limit=limit, offset=offset
    )
    return FleetHealthPage(items=items, total=total, limit=limit, offset=offset, interval_s=service.SNAPSHOT_INTERVAL_S)


@router.get("/health/totals", response_model=FleetTotals)
def fleet_totals(_: Principal = Depends(authorize_provider("fleet", "read"))) -> FleetTotals:
    return service.totals(app_engine())


@router.post("/health/{key}/refresh", response_model=FleetHealthOut)
def refresh_commune(key: str, _: Principal = Depends(authorize_provider("fleet", "write"))) -> FleetHealthOut:
    """Measure one commune now instead of waiting for the next snapshot."""
    return service.refresh(app_engine(), key)


@router.get("/map", response_model=list[MapPointOut])
def map_points(_: Principal = Depends(authorize_provider("communes", "read"))) -> list[MapPointOut]:
    return service.map_points(app_engine())


@router.get("/rollouts", response_model=list[RolloutSummaryOut])
def recent_rollouts(
    limit: int = Query(default=20, ge=1, le=100), _: Principal = Depends(authorize_provider("fleet", "read"))
) -> list[RolloutSummaryOut]:
    """The newest rollouts first, each with its runs counted (follow one at /provisioning/rollouts/{id})."""
    return service.recent_rollouts(app_engine(), limit)


class AbuseAlarmOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str = Field(description="otp_per_address | otp_per_commune")
    commune_code: int | None
    client_addr: str | None
    detail: str
    count: int = Field(description="refused requests counted under this alarm")
    created_at: datetime


@router.get("/abuse-alarms", response_model=list[AbuseAlarmOut])
def abuse_alarms(
    limit: int = Query(default=100, ge=1, le=1000),
    _: Principal = Depends(authorize_provider("fleet", "read")),
) -> list[AbuseAlarmOut]:
    """Limits that tripped (SMS pumping of the one-time-code endpoint), newest first."""
    with Session(app_engine()) as session:
        rows = session.scalars(select(AbuseAlarm).order_by(AbuseAlarm.id.desc()).limit(limit)).all()
        return [AbuseAlarmOut.model_validate(r) for r in rows]
