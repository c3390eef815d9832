"""The verify step's smoke checks, through the platform's real HTTP API.

The requests go through the platform's own routers, tenant-resolution middleware, bearer-token validation,
authorization and tenant sessions, in process (httpx over ASGI) to an app assembled here from the same
platform pieces the composition root uses (provisioning may not import `smartcommune.main`). The caller
holds a short-lived token minted by the embedded issuer: as the commune's first admin when the run has
one (so the check also proves the admin's assignment), else as provider staff.

The commune is still held (suspended) while it is verified: this private app, and only it, serves a held
commune; the public API keeps answering 423 until `activate`.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
import uuid
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

import httpx
import jwt
from fastapi import FastAPI
from sqlalchemy.orm import Session
from starlette.types import ASGIApp, Receive, Scope, Send

from smartcommune.platform.commune.router import router as commune_router
from smartcommune.platform.http.errors import install_error_handlers
from smartcommune.platform.http.tenancy import TenantResolutionMiddleware, get_resolver
from smartcommune.platform.identity.issuer import access_token_claims
from smartcommune.platform.identity.keys import active_signing_key
from smartcommune.platform.identity.realms import DEFAULT_CLIENT_ID, is_embedded
from smartcommune.platform.procedures.router import router as procedures_router
from smartcommune.platform.reports.router import router as reports_router
from smartcommune.platform.villages.router import router as villages_router
from smartcommune.tenants.authz.policy import PROVIDER_OPERATOR
from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.control.models import IdentityAccount
from smartcommune.tenants.database import app_engine
from smartcommune.tenants.errors import NotFound
from smartcommune.tenants.principal import COMMUNE_REALM, PROVIDER_REALM

TOKEN_TTL_S = 120
ACTOR = "provisioning-verify"


class _SeeHeldCommune:
    """Inside the tenant middleware: the commune being verified is served although it is still held.
    (Not a dependency override: FastAPI re-solves overridden dependencies on every request.)"""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        state = scope.get("state", {})
        tenant: TenantInfo | None = state.get("tenant")
        if tenant is not None and tenant.status == "suspended":
            state["tenant"] = replace(tenant, status="active")
        await self.app(scope, receive, send)


@lru_cache
def verifier_app() -> FastAPI:
    """Built once per process: routers, error handlers and tenant middleware as in the platform app."""
    app = FastAPI()
    install_error_handlers(app)
    for router in (commune_router, villages_router, procedures_router, reports_router):
        app.include_router(router)
    app.add_middleware(_SeeHeldCommune)
    app.add_middleware(TenantResolutionMiddleware)  # added last: runs first
    return app


def mint_token(admin_id: str | None) -> str | None:
    """A token of TOKEN_TTL_S seconds from the embedded issuer; None when tokens come from Keycloak."""
    realm = COMMUNE_REALM if admin_id else PROVIDER_REALM
    if not is_embedded(realm):
        return None
    if admin_id:
        with Session(app_engine(), expire_on_commit=False) as s:
            account = s.get(IdentityAccount, uuid.UUID(admin_id))
        if account is None:
            raise NotFound("Không tìm thấy tài khoản quản trị xã.", "Commune admin account not found.")
    else:
        account = IdentityAccount(
            id=uuid.uuid5(uuid.NAMESPACE_URL, "smartcommune:provisioning-verify"),
            realm=PROVIDER_REALM,
            username=ACTOR,
            realm_roles=[PROVIDER_OPERATOR],
        )
    now = int(time.time())
    claims = access_token_claims(account, client_id=DEFAULT_CLIENT_ID, issued_at=now)
    claims["exp"] = now + TOKEN_TTL_S
    key = active_signing_key()
    return jwt.encode(claims, key.private_key, algorithm="RS256", headers={"kid": key.kid, "typ": "JWT"})


@dataclass
class Checked:
    counts: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    calls: int = 0
    as_admin: bool = False  # GET /me answered for the first admin's token
    caller: str = "public"  # whose token the authenticated checks carried: commune_admin | provider | public


@dataclass
class _Runner:
    """One event loop and client per process and thread, kept: a fresh loop, thread pool and client per
    commune cost more than the checks themselves."""

    pid: int
    loop: asyncio.AbstractEventLoop
    client: httpx.AsyncClient


_local = threading.local()


def _get_runner() -> _Runner:
    runner: _Runner | None = getattr(_local, "runner", None)
    if runner is None or runner.pid != os.getpid():  # a forked worker builds its own
        transport = httpx.ASGITransport(app=verifier_app())
        runner = _Runner(os.getpid(), asyncio.new_event_loop(), httpx.AsyncClient(transport=transport))
        _local.runner = runner
    return runner


async def _checks(
    client: httpx.AsyncClient, tenant: TenantInfo, token: str | None, expect: dict[str, int], admin: bool
) -> Checked:
    out = Checked()
    auth = {"Authorization": f"Bearer {token}"} if token else {}
    base = f"http://verify/t/{tenant.slug}"

    async def get(path: str, *, authed: bool = False) -> Any:
        out.calls += 1
        response = await client.get(base + path, headers=auth if authed else {})
        if response.status_code != 200:
            code = response.json().get("code", "") if response.content else ""
            out.problems.append(f"GET {path}: {response.status_code} {code}".rstrip())
            return None
        return response.json()

    # One after another, not gathered: concurrent requests would each take their own pooled connection,
    # and every backend touched pays to rebuild its role cache after each commune a rollout creates
    # (see tenants.database); in sequence they reuse one warm connection.
    calls = [get("/api/v1/commune"), get("/api/v1/public/procedures")]
    if token is not None:
        calls += [get("/api/v1/villages", authed=True), get("/api/v1/report-categories", authed=True)]
        if admin:
            calls.append(get("/api/v1/me", authed=True))
    profile, procedures, *authed = [await call for call in calls]
    if profile is not None and profile.get("commune_code") != tenant.commune_code:
        out.problems.append("GET /api/v1/commune: another commune answered")
    out.counts["modules"] = len((profile or {}).get("modules", []))
    out.counts["procedures"] = len(procedures or [])
    if authed:
        villages, categories, *me_list = authed
        out.counts["villages"] = len(villages or [])
        out.counts["report_categories"] = len(categories or [])
        me = me_list[0] if me_list else None
        out.as_admin = me is not None
        if me is not None and "commune_admin" not in me.get("roles", []):
            out.problems.append("GET /api/v1/me: the first admin has no commune_admin role")
    for name, minimum in expect.items():
        if name in out.counts and out.counts[name] < minimum:
            out.problems.append(f"{name}: {out.counts[name]} < {minimum}")
    return out


def smoke_check(tenant: TenantInfo, *, admin_id: str | None, expect: dict[str, int]) -> Checked:
    """Run the checks; `expect` names a minimum count per list (villages, procedures, report_categories)."""
    resolver = get_resolver()
    resolver.invalidate(tenant.slug)  # a cached entry from before the commune existed must not answer
    try:
        runner = _get_runner()
        token = mint_token(admin_id)
        checked = runner.loop.run_until_complete(
            _checks(runner.client, tenant, token, expect, admin=admin_id is not None)
        )
        checked.caller = "public" if token is None else "commune_admin" if admin_id else "provider"
        return checked
    finally:
        resolver.invalidate(tenant.slug)  # nor may the held commune's entry outlive the check
