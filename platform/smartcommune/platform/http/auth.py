"""Authentication and authorization dependencies: one `authorize(obj, act)` per route."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from fastapi import Depends, Request

from smartcommune.platform.configuration.service import module_disabled
from smartcommune.platform.identity.tokens import validate_bearer
from smartcommune.tenants.authz.authorizer import is_allowed
from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.errors import CommuneSuspended, Forbidden, NotFound, Unauthenticated
from smartcommune.tenants.principal import Principal
from smartcommune.tenants.session import TenantSession, tenant_session, unit_of_work


async def request_tenant(request: Request) -> TenantInfo:
    """The commune this request is for; 404 when the host or prefix names none, 423 when suspended.

    `async` because it only reads the scope: a sync dependency costs a worker-thread round trip per request.
    """
    tenant: TenantInfo | None = request.scope.get("state", {}).get("tenant")
    if tenant is None:
        raise NotFound("Không tìm thấy xã.", "Commune not found.", code="commune_not_found")
    if tenant.status == "suspended":
        raise CommuneSuspended(
            "Xã đang tạm ngừng sử dụng nền tảng. Dữ liệu vẫn được giữ nguyên.",
            "This commune is suspended. Its data is kept.",
        )
    return tenant


def optional_principal(request: Request) -> Principal | None:
    header = request.headers.get("authorization", "")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthenticated("Thiếu mã truy cập hợp lệ.", "A Bearer token is required.", code="token_missing")
    return validate_bearer(token.strip())


async def require_principal(principal: Principal | None = Depends(optional_principal)) -> Principal:
    # `async`: no I/O here, so no worker-thread round trip (optional_principal stays sync: a JWKS refetch reads).
    if principal is None:
        raise Unauthenticated("Vui lòng đăng nhập.", "Authentication required.", code="token_missing")
    return principal


def _check_membership(principal: Principal, tenant: TenantInfo) -> None:
    # The token's commune claim must equal the resolved commune; staff act in any commune via policy.
    if not principal.is_provider_staff and not principal.member_of(tenant.commune_code):
        raise Unauthenticated(
            "Mã truy cập không thuộc xã này.",
            "The token was not issued for this commune.",
            code="token_commune_mismatch",
        )


def _deny() -> Forbidden:
    return Forbidden("Bạn không có quyền thực hiện thao tác này.", "You are not allowed to do this.")


@dataclass
class CommuneCall:
    """What a commune route handler gets: the commune, the caller, and a session bound to the commune."""

    tenant: TenantInfo
    principal: Principal
    db: TenantSession

    @property
    def actor(self) -> str:
        return self.principal.username or self.principal.subject

    @property
    def actor_kind(self) -> str:
        return "provider" if self.principal.is_provider_staff else "commune"


def tenant_db(tenant: TenantInfo = Depends(request_tenant)) -> Iterator[TenantSession]:
    """The request boundary commits; an error rolls back, so bad input loses nothing already stored.

    Always depend on it with `scope="function"`: in FastAPI's default scope the commit would run after the
    response is sent, so a client's next read could miss its own write and a failed commit would follow a 2xx.
    """
    with unit_of_work(tenant_session(tenant)) as session:
        yield session


def authorize(obj: str, act: str) -> Callable[..., CommuneCall]:
    """Dependency for a commune route: authenticated, member of this commune, allowed (obj, act)."""

    def dependency(
        tenant: TenantInfo = Depends(request_tenant),
        principal: Principal = Depends(require_principal),
        db: TenantSession = Depends(tenant_db, scope="function"),
    ) -> CommuneCall:
        _check_membership(principal, tenant)
        if not is_allowed(principal, tenant.commune_code, obj, act):
            raise _deny()
        module = module_disabled(db, obj)
        if module is not None:
            raise NotFound(
                "Xã chưa bật chức năng này.",
                "This commune has not enabled this module.",
                code="module_disabled",
                module=module,
            )
        return CommuneCall(tenant=tenant, principal=principal, db=db)

    return dependency


def authorize_provider(obj: str, act: str) -> Callable[..., Principal]:
    """Dependency for a provider route: a staff-realm token allowed (obj, act) in domain `*`.

    The provider API is not served on a commune's host: there it answers 404.
    """

    def dependency(request: Request, principal: Principal = Depends(require_principal)) -> Principal:
        if request.scope.get("state", {}).get("tenant") is not None:
            raise NotFound("Không tìm thấy.", "Not found.")
        if not principal.is_provider_staff:
            raise Unauthenticated(
                "Cần đăng nhập bằng tài khoản nhà cung cấp.",
                "A provider staff token is required.",
                code="token_wrong_realm",
            )
        if not is_allowed(principal, None, obj, act):
            raise _deny()
        return principal

    return dependency
