"""The commune itself: public profile and branding, who am I here, and its settings (commune admins)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, File, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field

from smartcommune.platform.commune import service
from smartcommune.platform.commune.schemas import CommuneBranding, CommuneSettingsIn, CommuneSettingsOut
from smartcommune.platform.configuration import service as configuration
from smartcommune.platform.configuration.service import enabled_modules
from smartcommune.platform.files.http import file_response
from smartcommune.platform.http.auth import CommuneCall, authorize, request_tenant, tenant_db
from smartcommune.platform.identity import throttle
from smartcommune.tenants.authz.authorizer import roles_in
from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.session import TenantSession

router = APIRouter(prefix="/api/v1", tags=["commune"])


class CommuneProfile(BaseModel):
    slug: str
    commune_code: int
    province_code: int
    name: str
    modules: list[str]  # enabled modules (configuration.models.MODULES order): the apps hide the others


class Me(BaseModel):
    subject: str
    username: str | None
    realm: str
    commune_code: int
    roles: list[str]
    failed_logins: int = Field(default=0, description="failed password logins in the last hour (throttling)")
    locked_until: datetime | None = Field(default=None, description="password logins refused until then")


@router.get("/commune", response_model=CommuneProfile)
def commune_profile(
    tenant: TenantInfo = Depends(request_tenant), db: TenantSession = Depends(tenant_db, scope="function")
) -> CommuneProfile:
    """Public: the commune this host or /t/{slug} prefix belongs to, and its enabled modules."""
    return CommuneProfile(
        slug=tenant.slug,
        commune_code=tenant.commune_code,
        province_code=tenant.province_code,
        name=tenant.name,
        modules=enabled_modules(db),
    )


@router.get("/me", response_model=Me)
def me(call: CommuneCall = Depends(authorize("profile", "read"))) -> Me:
    p = call.principal
    throttled = throttle.account_state(p.realm, p.username) if p.username else None
    return Me(
        subject=p.subject,
        username=p.username,
        realm=p.realm,
        commune_code=call.tenant.commune_code,
        roles=roles_in(p, call.tenant.commune_code),
        failed_logins=throttled.failed_logins if throttled else 0,
        locked_until=throttled.locked_until if throttled else None,
    )


# -- settings and branding ------------------------------------------------------------------------------
@router.get("/public/commune/branding", response_model=CommuneBranding)
def public_branding(
    tenant: TenantInfo = Depends(request_tenant), db: TenantSession = Depends(tenant_db, scope="function")
) -> CommuneBranding:
    """Public: the name, colour, logo and office contacts the apps show."""
    return service.public_branding(db, tenant)


@router.get("/public/commune/logo")
def public_logo(
    tenant: TenantInfo = Depends(request_tenant), db: TenantSession = Depends(tenant_db, scope="function")
) -> Response:
    response = file_response(*service.logo(db, tenant))
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@router.get("/commune/settings", response_model=CommuneSettingsOut)
def get_settings(call: CommuneCall = Depends(authorize("settings", "read"))) -> CommuneSettingsOut:
    return service.get(call.db, call.tenant)


@router.put("/commune/settings", response_model=CommuneSettingsOut)
def put_settings(
    data: CommuneSettingsIn, call: CommuneCall = Depends(authorize("settings", "write"))
) -> CommuneSettingsOut:
    """Replace the settings (commune admins): 422 `color_low_contrast` when white text would be unreadable."""
    return service.save(call.db, call.tenant, data, actor=call.actor, actor_kind=call.actor_kind)


@router.post("/commune/settings/logo", response_model=CommuneSettingsOut)
async def upload_logo(
    file: UploadFile = File(...), call: CommuneCall = Depends(authorize("settings", "write"))
) -> CommuneSettingsOut:
    """PNG, JPEG or WebP up to 2 MB (413 / 415 otherwise); re-encoded without metadata."""
    data = await file.read(service.LOGO.max_bytes + 1)
    return service.set_logo(
        call.db, call.tenant, filename=file.filename or "logo", data=data, actor=call.actor, actor_kind=call.actor_kind
    )


@router.delete("/commune/settings/logo", response_model=CommuneSettingsOut)
def delete_logo(call: CommuneCall = Depends(authorize("settings", "write"))) -> CommuneSettingsOut:
    return service.remove_logo(call.db, call.tenant, actor=call.actor, actor_kind=call.actor_kind)


# -- modules ----------------------------------------------------------------------------------------------
class ModuleState(BaseModel):
    code: str
    enabled: bool
    optional: bool  # False: always on (villages, residents)


class ModuleChange(BaseModel):
    enabled: bool


def _states(rows: list[tuple[str, bool, bool]]) -> list[ModuleState]:
    return [ModuleState(code=c, enabled=e, optional=o) for c, e, o in rows]


@router.get("/commune/modules", response_model=list[ModuleState])
def list_modules(call: CommuneCall = Depends(authorize("settings", "read"))) -> list[ModuleState]:
    """Every module of the platform and whether this commune has it on."""
    return _states(configuration.module_states(call.db))


@router.put("/commune/modules/{code}", response_model=list[ModuleState])
def change_module(
    code: str, data: ModuleChange, call: CommuneCall = Depends(authorize("settings", "write"))
) -> list[ModuleState]:
    """Turn one module on or off (commune admins, audited). A disabled module's routes answer 404
    `module_disabled` and the apps hide its screens; 404 `module_not_found`, 422 `module_required`."""
    return _states(configuration.set_module(call.db, code, data.enabled, actor=call.actor, actor_kind=call.actor_kind))
