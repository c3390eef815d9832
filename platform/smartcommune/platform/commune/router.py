from __future__ import annotations

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from smartcommune.platform.http.auth import CommuneCall, authorize, request_tenant
from smartcommune.tenants.authz.authorizer import roles_in
from smartcommune.tenants.context import TenantInfo

router = APIRouter(prefix="/api/v1", tags=["commune"])


class CommuneProfile(BaseModel):
    slug: str
    commune_code: int
    province_code: int
    name: str


class Me(BaseModel):
    subject: str
    username: str | None
    realm: str
    commune_code: int
    roles: list[str]


@router.get("/commune", response_model=CommuneProfile)
def commune_profile(tenant: TenantInfo = Depends(request_tenant)) -> CommuneProfile:
    """Public: the commune this host or /t/{slug} prefix belongs to."""
    return CommuneProfile(
        slug=tenant.slug,
        commune_code=tenant.commune_code,
        province_code=tenant.province_code,
        name=tenant.name,
    )


@router.get("/me", response_model=Me)
def me(call: CommuneCall = Depends(authorize("profile", "read"))) -> Me:
    p = call.principal
    return Me(
        subject=p.subject,
        username=p.username,
        realm=p.realm,
        commune_code=call.tenant.commune_code,
        roles=roles_in(p, call.tenant.commune_code),
    )
