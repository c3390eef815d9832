from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Depends

from smartcommune.platform.http.auth import CommuneCall, authorize
from smartcommune.platform.insight import service
from smartcommune.platform.insight.schemas import (
    CriterionTarget,
    IndicatorOut,
    SnapshotIn,
    SnapshotOut,
    SnapshotRun,
)
from smartcommune.tenants.authz.service import members_of
from smartcommune.tenants.database import app_engine

router = APIRouter(prefix="/api/v1/insight", tags=["insight"])


@router.get("/dashboard")
def dashboard(call: CommuneCall = Depends(authorize("dashboard", "read"))) -> dict[str, Any]:
    """Residents, app use, reports and SLA, applications, payments, cameras, devices, production."""
    return service.dashboard(call.db, staff=members_of(app_engine(), call.tenant.commune_code))


@router.get("/criteria", response_model=list[IndicatorOut])
def criteria(call: CommuneCall = Depends(authorize("dashboard", "read"))) -> list[IndicatorOut]:
    """Every criterion computed now from live data, against its target, with its evidence."""
    return [IndicatorOut(**asdict(i)) for i in service.compute(call.db)]


@router.get("/criteria/parameters")
def criteria_parameters(
    _: CommuneCall = Depends(authorize("dashboard", "read")),
) -> dict[str, dict[str, dict[str, Any]]]:
    """The parameters each computation takes (set per criterion in `params`), with defaults and ranges."""
    return {code: {name: asdict(p) for name, p in spec.items()} for code, spec in service.PARAMETERS.items()}


@router.put("/criteria", status_code=204)
def set_criteria(targets: list[CriterionTarget], call: CommuneCall = Depends(authorize("dashboard", "write"))) -> None:
    service.set_targets(call.db, [t.model_dump() for t in targets], actor=call.actor, actor_kind=call.actor_kind)


@router.post("/criteria/snapshots", response_model=SnapshotRun)
def take_snapshot(data: SnapshotIn, call: CommuneCall = Depends(authorize("dashboard", "write"))) -> SnapshotRun:
    """Compute and keep this month's (or the given month's) values; recomputing replaces them."""
    month, indicators = service.take_snapshot(call.db, data.month, actor=call.actor, actor_kind=call.actor_kind)
    return SnapshotRun(month=month, indicators=[IndicatorOut(**asdict(i)) for i in indicators])


@router.get("/criteria/snapshots", response_model=list[SnapshotOut])
def list_snapshots(
    code: str | None = None, call: CommuneCall = Depends(authorize("dashboard", "read"))
) -> list[SnapshotOut]:
    return [SnapshotOut.model_validate(s) for s in service.snapshots(call.db, code)]


@router.get("/map/{layer}")
def map_layer(layer: str, call: CommuneCall = Depends(authorize("dashboard", "read"))) -> dict[str, Any]:
    """GeoJSON FeatureCollection: `households`, `reports`, `cameras`, `devices`, `farms` or `services`."""
    return service.map_layer(call.db, layer)
