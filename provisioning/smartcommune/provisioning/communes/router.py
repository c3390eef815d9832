from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Query
from sqlalchemy import select

from smartcommune.platform.http.auth import authorize_provider
from smartcommune.provisioning.communes.schemas import (
    CommuneCreate,
    CommuneCreated,
    CommuneOut,
    CommunePageOut,
    OfficialCommuneOut,
    SuspendIn,
)
from smartcommune.tenants import registry
from smartcommune.tenants.control.models import Tenant
from smartcommune.tenants.database import app_engine, owner_engine
from smartcommune.tenants.official_list import all_communes, fold
from smartcommune.tenants.principal import Principal

router = APIRouter(prefix="/api/provider/v1", tags=["provider: communes"])


@router.get("/communes", response_model=CommunePageOut)
def list_communes(
    q: str | None = Query(default=None, max_length=100),
    province_code: int | None = None,
    status: Literal["active", "suspended"] | None = None,
    template: str | None = None,
    limit: int = Query(default=50, ge=1, le=500),
    offset: int = Query(default=0, ge=0),
    _: Principal = Depends(authorize_provider("communes", "read")),
) -> CommunePageOut:
    page = registry.list_communes(
        app_engine(),
        q=q,
        province_code=province_code,
        status=status,
        template=template,
        limit=limit,
        offset=offset,
    )
    return CommunePageOut(
        items=[CommuneOut.model_validate(t) for t in page.items], total=page.total, limit=limit, offset=offset
    )


@router.post("/communes", response_model=CommuneCreated, status_code=201)
def create_commune(
    data: CommuneCreate, _: Principal = Depends(authorize_provider("communes", "write"))
) -> CommuneCreated:
    created = registry.create_commune(
        owner_engine(),
        data.commune_code,
        slug=data.slug,
        province_code=data.province_code,
        template=data.template,
        plan=data.plan,
    )
    row = registry.get_commune(app_engine(), created.tenant.id)
    return CommuneCreated.model_validate(
        {**CommuneOut.model_validate(row).model_dump(), "creation_seconds": created.seconds}
    )


@router.get("/communes/{key}", response_model=CommuneOut)
def show_commune(key: str, _: Principal = Depends(authorize_provider("communes", "read"))) -> CommuneOut:
    return CommuneOut.model_validate(registry.get_commune(app_engine(), key))


@router.post("/communes/{key}/suspend", response_model=CommuneOut)
def suspend_commune(
    key: str, data: SuspendIn, principal: Principal = Depends(authorize_provider("communes", "write"))
) -> CommuneOut:
    return CommuneOut.model_validate(
        registry.suspend_commune(owner_engine(), key, data.reason, actor=principal.username or principal.subject)
    )


@router.post("/communes/{key}/resume", response_model=CommuneOut)
def resume_commune(key: str, principal: Principal = Depends(authorize_provider("communes", "write"))) -> CommuneOut:
    return CommuneOut.model_validate(
        registry.resume_commune(owner_engine(), key, actor=principal.username or principal.subject)
    )


@router.delete("/communes/{key}", status_code=204)
def delete_commune(
    key: str,
    confirm: str = Query(default="", description="the commune's slug, typed again to confirm"),
    _: Principal = Depends(authorize_provider("communes", "delete")),
) -> None:
    registry.delete_commune(owner_engine(), key, confirm_slug=confirm)


@router.get("/official-communes", response_model=list[OfficialCommuneOut])
def official_communes(
    q: str | None = Query(default=None, max_length=100),
    province_code: int | None = None,
    limit: int = Query(default=50, ge=1, le=500),
    _: Principal = Depends(authorize_provider("communes", "read")),
) -> list[OfficialCommuneOut]:
    """Pick a commune from the official 2025 list, with whether it is already onboarded."""
    needle = fold(q) if q else None
    matches = [
        c
        for c in all_communes()
        if (province_code is None or c.province_code == province_code)
        and (needle is None or needle in fold(c.name) or needle == str(c.code))
    ][:limit]
    with app_engine().connect() as conn:
        onboarded = set(
            conn.execute(
                select(Tenant.commune_code).where(Tenant.commune_code.in_([c.code for c in matches]))
            ).scalars()
        )
    return [
        OfficialCommuneOut(
            code=c.code,
            name=c.name,
            division_type=c.division_type,
            province_code=c.province_code,
            province_name=c.province_name,
            onboarded=c.code in onboarded,
        )
        for c in matches
    ]
