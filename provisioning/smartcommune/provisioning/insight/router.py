from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from smartcommune.platform.http.auth import authorize_provider
from smartcommune.platform.insight.service import province_rollup
from smartcommune.tenants.database import app_engine
from smartcommune.tenants.principal import Principal
from smartcommune.tenants.registry import all_tenant_infos

router = APIRouter(prefix="/api/provider/v1/insight", tags=["provider: insight"])


@router.get("/provinces/{province_code}/criteria")
def province_criteria(
    province_code: int, _: Principal = Depends(authorize_provider("dashboard", "read"))
) -> dict[str, Any]:
    """Every active commune of the province computed in its own transaction, pooled per indicator, with how
    many communes meet their own target."""
    with app_engine().connect() as conn:
        tenants = [t for t in all_tenant_infos(conn) if t.province_code == province_code and t.status == "active"]
    return {"province_code": province_code} | province_rollup(tenants)
