"""Provider routes: the communes' camera site network requests, approved or refused by provider staff."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from smartcommune.platform.http.auth import authorize_provider
from smartcommune.provisioning.site_networks import service
from smartcommune.provisioning.site_networks.schemas import (
    DecisionIn,
    ProviderSiteNetworkRequestOut,
    SiteNetworkRequestPageOut,
)
from smartcommune.tenants.database import app_engine
from smartcommune.tenants.principal import Principal

router = APIRouter(prefix="/api/provider/v1", tags=["provider: site networks"])


def _out(row: service.RequestRow) -> ProviderSiteNetworkRequestOut:
    r = row.request
    return ProviderSiteNetworkRequestOut(
        id=r.id,
        commune_code=r.commune_code,
        commune_name=row.commune_name,
        commune_slug=row.commune_slug,
        cidr=r.cidr,
        note=r.note,
        status=r.status,  # type: ignore[arg-type]
        requested_by=r.requested_by,
        requested_at=r.requested_at,
        decided_by=r.decided_by,
        decided_at=r.decided_at,
        decision_note=r.decision_note,
    )


@router.get("/site-network-requests", response_model=SiteNetworkRequestPageOut)
def list_requests(
    status: Literal["pending", "approved", "refused", "revoked"] | None = None,
    commune_code: int | None = Query(default=None, ge=1, le=2_147_483_647),
    limit: int = Query(default=50, ge=1, le=200),
    offset: int = Query(default=0, ge=0, le=2_147_483_647),
    _: Principal = Depends(authorize_provider("communes", "read")),
) -> SiteNetworkRequestPageOut:
    """Camera site networks the communes asked for (newest first), with the decisions taken."""
    with Session(app_engine(), expire_on_commit=False) as control:
        rows, total = service.list_requests(
            control, status=status, commune_code=commune_code, limit=limit, offset=offset
        )
    return SiteNetworkRequestPageOut(items=[_out(r) for r in rows], total=total, limit=limit, offset=offset)


@router.post("/site-network-requests/{request_id}/approve", response_model=ProviderSiteNetworkRequestOut)
def approve(
    request_id: int,
    data: DecisionIn | None = None,
    principal: Principal = Depends(authorize_provider("communes", "write")),
) -> ProviderSiteNetworkRequestOut:
    """Approve: the network joins the commune's camera allow-list (re-checked against today's rules)."""
    with Session(app_engine(), expire_on_commit=False) as control, control.begin():
        row = service.approve(control, request_id, actor=principal.subject, note=data.note if data else "")
    return _out(row)


@router.post("/site-network-requests/{request_id}/refuse", response_model=ProviderSiteNetworkRequestOut)
def refuse(
    request_id: int,
    data: DecisionIn | None = None,
    principal: Principal = Depends(authorize_provider("communes", "write")),
) -> ProviderSiteNetworkRequestOut:
    with Session(app_engine(), expire_on_commit=False) as control, control.begin():
        row = service.refuse(control, request_id, actor=principal.subject, note=data.note if data else "")
    return _out(row)
