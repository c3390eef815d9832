"""Provider view of the smart-commune criteria: province roll-ups across communes, live and kept monthly."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query

from smartcommune.platform.http.auth import authorize_provider
from smartcommune.platform.insight.schemas import RollupOut
from smartcommune.platform.insight.service import current_month, province_rollup, rollup_history
from smartcommune.tenants.database import app_engine
from smartcommune.tenants.principal import Principal
from smartcommune.tenants.registry import all_tenant_infos

router = APIRouter(prefix="/api/provider/v1/insight", tags=["provider: insight"])
MONTH = r"^\d{4}-(0[1-9]|1[0-2])$"


@router.get("/provinces/{province_code}/criteria")
def province_criteria(
    province_code: int, _: Principal = Depends(authorize_provider("dashboard", "read"))
) -> dict[str, Any]:
    """Every active commune of the province computed in its own transaction, pooled per indicator, with how
    many communes meet their own target."""
    with app_engine().connect() as conn:
        tenants = [t for t in all_tenant_infos(conn) if t.province_code == province_code and t.status == "active"]
    return {"province_code": province_code} | province_rollup(tenants)


@router.get("/provinces/{province_code}/criteria/history", response_model=list[RollupOut])
def province_criteria_history(
    province_code: int,
    since: str | None = Query(default=None, pattern=MONTH, description="first month kept (YYYY-MM)"),
    code: str | None = Query(default=None, max_length=60),
    _: Principal = Depends(authorize_provider("dashboard", "read")),
) -> list[RollupOut]:
    """The province's kept monthly roll-ups (taken daily; a month keeps its last value), newest first."""
    return [RollupOut.model_validate(r) for r in rollup_history(province_code, since=since, code=code)]


@router.get("/criteria/rollups", response_model=list[RollupOut])
def month_rollups(
    month: str | None = Query(default=None, pattern=MONTH, description="YYYY-MM; this month when omitted"),
    code: str | None = Query(default=None, max_length=60),
    _: Principal = Depends(authorize_provider("dashboard", "read")),
) -> list[RollupOut]:
    """Every province's kept roll-up of one month, to compare provinces."""
    return [RollupOut.model_validate(r) for r in rollup_history(None, month=month or current_month(), code=code)]
