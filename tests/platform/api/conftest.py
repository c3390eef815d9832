"""Fixtures of the API tests: the real app (`create_app()`) on the test database, behind a TestClient.

Every built-in role gets an account and a token from the embedded issuer in each of the two communes
(commune roles) or in the staff realm (provider roles). The process singletons (enforcer, tenant
resolver, token validators) are reset first so they bind to the test database, and the resolver's
LISTEN thread is started as `create_app()` does outside tests, so registry changes reach the API at once.

Test modules cannot import this file (pytest runs with `--import-mode=importlib`): helpers are handed out
as fixtures (`api`, `kit`) and the route table is parametrized through `pytest_generate_tests`.
"""

from __future__ import annotations

import inspect
import itertools
import os
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text

from smartcommune.main import create_app
from smartcommune.platform.http.tenancy import get_resolver, reset_resolver
from smartcommune.platform.identity.accounts import create_account, issue_token_for
from smartcommune.platform.identity.tokens import reset_validators
from smartcommune.platform.inbox.models import InboxItem
from smartcommune.platform.inbox.service import Message, notify
from smartcommune.platform.villages.models import Village
from smartcommune.tenants.authz import service as authz
from smartcommune.tenants.authz.authorizer import reset_enforcer
from smartcommune.tenants.authz.policy import (
    COMMUNE_OFFICIAL,
    COMMUNE_ROLES,
    PROVIDER_ADMIN,
    PROVIDER_ROLES,
    RESIDENT,
    VILLAGE_HEAD,
)
from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.database import app_engine, owner_engine, quote_ident
from smartcommune.tenants.official_list import all_communes
from smartcommune.tenants.principal import COMMUNE_REALM, PROVIDER_REALM, Principal
from smartcommune.tenants.session import tenant_transaction
from smartcommune.tenants.settings import get_settings

# The provider principal the fixtures act as when they seed data (as provisioning would).
SEEDER = Principal(subject="api-tests", realm=PROVIDER_REALM, realm_roles=(PROVIDER_ADMIN,), username="api-tests")
ALL_ROLES = PROVIDER_ROLES + COMMUNE_ROLES
PASSWORD = "MatKhau@2026!"  # test accounts only

_seq = itertools.count(1)


def unique(prefix: str) -> str:
    """A name no other test (in this session) uses: `<prefix>-<n><random>`."""
    return f"{prefix}-{next(_seq)}{uuid.uuid4().hex[:6]}"


# -- routes -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RouteSpec:
    """One (method, path) of the app and how it is guarded: `commune` (authorize), `provider`
    (authorize_provider) or `public` (no principal needed)."""

    method: str
    path: str
    kind: str
    obj: str | None = None
    act: str | None = None

    @property
    def id(self) -> str:
        return f"{self.method} {self.path}"


def _dependency_calls(route: APIRoute) -> Iterator[Callable[..., Any]]:
    stack = list(route.dependant.dependencies)
    while stack:
        dep = stack.pop()
        if dep.call is not None:
            yield dep.call
        stack.extend(dep.dependencies)


def discover_routes(app: FastAPI) -> list[RouteSpec]:
    """Every API route of the app with the (object, action) its `authorize*` dependency checks."""
    specs: list[RouteSpec] = []
    for ctx in iter_route_contexts(app.routes):
        route = ctx.original_route
        if not isinstance(route, APIRoute):
            continue  # the OpenAPI document and its viewers
        guards: list[tuple[str, str, str]] = []
        principal_needed = False
        for call in _dependency_calls(route):
            qualname = getattr(call, "__qualname__", "")
            if qualname.startswith(("authorize.<locals>", "authorize_provider.<locals>")):
                bound = inspect.getclosurevars(call).nonlocals
                kind = "commune" if qualname.startswith("authorize.") else "provider"
                guards.append((kind, bound["obj"], bound["act"]))
            if qualname in ("require_principal", "optional_principal"):
                principal_needed = True
        assert len(guards) <= 1, f"{ctx.path} has several authorize dependencies: {guards}"
        for method in sorted(ctx.methods or ()):
            if guards:
                kind, obj, act = guards[0]
                specs.append(RouteSpec(method, str(ctx.path), kind, obj, act))
            else:
                assert not principal_needed, f"{method} {ctx.path} authenticates without authorize()"
                specs.append(RouteSpec(method, str(ctx.path), "public"))
    return specs


def _route_table() -> list[RouteSpec]:
    """Built at collection time, in test mode so `create_app()` starts no LISTEN thread yet."""
    previous = os.environ.get("ENVIRONMENT")
    os.environ["ENVIRONMENT"] = "test"
    get_settings.cache_clear()
    try:
        return discover_routes(create_app())
    finally:
        if previous is None:
            os.environ.pop("ENVIRONMENT", None)
        else:
            os.environ["ENVIRONMENT"] = previous
        get_settings.cache_clear()


ROUTES = _route_table()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """`commune_route`, `provider_route`, `guarded_route` and `role` parameters, generated from the app."""
    kinds = {
        "commune_route": ("commune",),
        "provider_route": ("provider",),
        "guarded_route": ("commune", "provider"),
    }
    for name, wanted in kinds.items():
        if name in metafunc.fixturenames:
            chosen = [r for r in ROUTES if r.kind in wanted]
            metafunc.parametrize(name, chosen, ids=[r.id for r in chosen])
    if "role" in metafunc.fixturenames:
        metafunc.parametrize("role", ALL_ROLES)


# -- actors -------------------------------------------------------------------------------------------
@dataclass
class Actor:
    role: str
    commune: TenantInfo | None  # None: provider staff
    account_id: uuid.UUID
    username: str
    token: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def make_commune_user(tenant: TenantInfo, role: str, *, password: str | None = None) -> Actor:
    username = unique(f"api.{role.replace('_', '')}.{tenant.commune_code}")
    account = create_account(
        app_engine(),
        realm=COMMUNE_REALM,
        username=username,
        password=password,
        commune_code=tenant.commune_code,
        display_name=f"{role} {tenant.name}",
    )
    if role != RESIDENT:  # every member is implicitly a resident
        authz.assign_role(app_engine(), SEEDER, tenant.commune_code, f"user:{account}", role)
    return Actor(role, tenant, account, username, issue_token_for(account))


def make_provider_user(role: str) -> Actor:
    username = unique(f"api.{role.replace('_', '')}")
    account = create_account(app_engine(), realm=PROVIDER_REALM, username=username, realm_roles=[role])
    return Actor(role, None, account, username, issue_token_for(account))


# -- database probes ----------------------------------------------------------------------------------
def scalar(sql: str, **params: Any) -> Any:
    with owner_engine().connect() as conn:
        return conn.execute(text(sql), params).scalar()


def audit_count(tenant: TenantInfo) -> int:
    return int(scalar(f"SELECT count(*) FROM {quote_ident(tenant.schema_name)}.audit_log"))


def audit_rows(tenant: TenantInfo, after_id: int = 0) -> list[dict[str, Any]]:
    with owner_engine().connect() as conn:
        rows = conn.execute(
            text(
                f"SELECT id, actor, actor_kind, action, object_type, object_id, before, after, request_id "
                f"FROM {quote_ident(tenant.schema_name)}.audit_log WHERE id > :i ORDER BY id"
            ),
            {"i": after_id},
        )
        return [dict(r._mapping) for r in rows]


def max_audit_id(tenant: TenantInfo) -> int:
    return int(scalar(f"SELECT coalesce(max(id), 0) FROM {quote_ident(tenant.schema_name)}.audit_log"))


def village_count(tenant: TenantInfo) -> int:
    with tenant_transaction(tenant) as db:
        return int(db.scalar(select(func.count()).select_from(Village)) or 0)


def add_village(tenant: TenantInfo, name: str | None = None) -> Village:
    with tenant_transaction(tenant) as db:
        village = Village(code=unique("V"), name=name or unique("Thôn"), kind="thon")
        db.add(village)
        db.flush()
        return village


def commune_state(tenant: TenantInfo) -> dict[str, Any]:
    """What a request could have written in a commune: its data, its policy lines, its accounts."""
    dom = str(tenant.commune_code)
    schema = quote_ident(tenant.schema_name)
    return {
        "audit": audit_count(tenant),
        "villages": scalar(f"SELECT md5(coalesce(string_agg(v::text, ',' ORDER BY id), '')) FROM {schema}.villages v"),
        "rules": scalar(
            "SELECT md5(coalesce(string_agg(concat_ws(',', ptype, v0, v1, v2, v3), ';' "
            "ORDER BY ptype, v0, v1, v2, v3), '')) FROM control.casbin_rule WHERE v1 = :d OR v2 = :d",
            d=dom,
        ),
        "accounts": scalar(
            "SELECT md5(coalesce(string_agg(concat_ws(',', id, username, enabled, password_hash), ';' "
            "ORDER BY id), '')) FROM control.identity_accounts WHERE commune_code = :c",
            c=tenant.commune_code,
        ),
        "tenant": scalar(
            "SELECT concat_ws(',', slug, status, suspended_reason, updated_at) FROM control.tenants WHERE id = :i",
            i=tenant.id,
        ),
    }


def unused_commune_codes(n: int, *, avoid_provinces: tuple[int, ...] = (44, 38)) -> list[int]:
    """Official communes not yet onboarded here, outside the provinces the other suites use."""
    onboarded = {int(c) for c in _onboarded_codes()}
    picked = [
        c.code
        for c in all_communes()
        if c.province_code not in avoid_provinces and c.code not in onboarded and c.code not in _handed_out
    ][:n]
    _handed_out.update(picked)
    return picked


_handed_out: set[int] = set()


def _onboarded_codes() -> list[int]:
    with owner_engine().connect() as conn:
        return list(conn.execute(text("SELECT commune_code FROM control.tenants")).scalars())


def wait_for(probe: Callable[[], bool], timeout_s: float = 10.0) -> bool:
    """Poll a condition; the bound only keeps a broken listener from hanging the suite."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if probe():
            return True
        time.sleep(0.02)
    return probe()


def error_code(response: httpx.Response) -> str | None:
    try:
        body = response.json()
    except ValueError:
        return None
    error = body.get("error") if isinstance(body, dict) else None
    return error.get("code") if isinstance(error, dict) else None


# -- a plausible request for every route ------------------------------------------------------------
@dataclass(frozen=True)
class Req:
    method: str
    path: str
    params: dict[str, str] | None = None
    json: Any = None
    expect: int = 200  # the status an allowed caller gets
    data: dict[str, str] | None = None


NO_SUCH_COMMUNE = "khong-co-xa-nay"
UNKNOWN_COMMUNE_CODE = 99_999_999


def fresh_role(tenant: TenantInfo) -> str:
    name = unique("vai_tro").replace("-", "_")
    authz.create_role(app_engine(), SEEDER, tenant.commune_code, name, [("villages", "read")])
    return name


def fresh_member(tenant: TenantInfo) -> uuid.UUID:
    return create_account(
        app_engine(), realm=COMMUNE_REALM, username=unique("api.member"), commune_code=tenant.commune_code
    )


def inbox_item_of_someone_else(tenant: TenantInfo) -> int:
    with tenant_transaction(tenant) as db:
        notify(db, ["nobody-in-this-test"], Message(kind="test", title="Thông báo"))
        return int(db.scalar(select(func.max(InboxItem.id))) or 0)


def request_for(spec: RouteSpec, tenant: TenantInfo, *, provider_key: str = NO_SUCH_COMMUNE) -> Req:
    """A well-formed request for `spec` that names objects of `tenant`, freshly made where the call
    consumes them (a role to delete, an assignment to revoke), with the status an allowed caller gets.

    Provider routes name `provider_key` (by default a commune that does not exist, so an allowed call
    changes nothing) and an unknown commune code for creation.
    """
    m, p = spec.method, spec.path
    key = (m, p)
    if key == ("POST", "/api/v1/villages"):
        return Req(m, p, json={"code": unique("T"), "name": unique("Thôn")}, expect=201)
    if p == "/api/v1/villages/{village_id}":
        path = p.format(village_id=add_village(tenant).id)
        return Req(m, path, json={"population": 1234} if m == "PATCH" else None, expect=200)
    if key == ("POST", "/api/v1/roles"):
        body = {"name": unique("to_truong").replace("-", "_"), "permissions": [{"obj": "villages", "act": "read"}]}
        return Req(m, p, json=body, expect=201)
    if key == ("DELETE", "/api/v1/roles/{name}"):
        return Req(m, p.format(name=fresh_role(tenant)), expect=204)
    if key == ("POST", "/api/v1/role-assignments"):
        return Req(m, p, json={"user_id": str(fresh_member(tenant)), "role": VILLAGE_HEAD}, expect=201)
    if key == ("DELETE", "/api/v1/role-assignments"):
        member = fresh_member(tenant)
        authz.assign_role(app_engine(), SEEDER, tenant.commune_code, f"user:{member}", VILLAGE_HEAD)
        return Req(m, p, params={"user_id": str(member), "role": VILLAGE_HEAD}, expect=204)
    if key == ("POST", "/api/v1/users"):
        body = {"username": unique("can.bo"), "password": PASSWORD, "role": COMMUNE_OFFICIAL}
        return Req(m, p, json=body, expect=201)
    if key == ("POST", "/api/v1/inbox/{item_id}/read"):
        # Somebody else's message: allowed callers get 404 (not theirs), never a receipt on it.
        return Req(m, p.format(item_id=inbox_item_of_someone_else(tenant)), expect=404)
    if spec.kind == "commune" and m == "GET" and "{" not in p:
        return Req(m, p, expect=200)
    # provider routes
    if key == ("POST", "/api/provider/v1/communes"):
        return Req(m, p, json={"commune_code": UNKNOWN_COMMUNE_CODE}, expect=422)
    if p.startswith("/api/provider/v1/communes/{key}"):
        path = p.format(key=provider_key)
        json = {"reason": "kiểm thử"} if p.endswith("/suspend") else None
        exists = provider_key != NO_SUCH_COMMUNE
        ok = 200 if m in ("GET", "POST") else 204
        return Req(
            m,
            path,
            json=json,
            params={"confirm": provider_key} if m == "DELETE" else None,
            expect=ok if exists else 404,
        )
    if spec.kind == "provider" and m == "GET":
        return Req(m, p, expect=200)
    # public routes
    if p.startswith("/auth/realms/{realm}"):
        path = p.format(realm=COMMUNE_REALM)
        if m == "POST":
            return Req(m, path, data={"grant_type": "password", "username": "x", "password": "y"}, expect=401)
        return Req(m, path)
    if key == ("POST", "/auth/realms/communes/otp"):
        return Req(m, p, json={"commune_code": tenant.commune_code, "phone": "0912999999"}, expect=202)
    if spec.kind == "public" and m == "GET":
        return Req(m, p)
    raise AssertionError(f"no plausible request for {spec.id}: teach request_for() about the new route")


# -- the world ----------------------------------------------------------------------------------------
@dataclass
class Api:
    """The running app, the two communes and an actor for every built-in role."""

    app: FastAPI
    client: TestClient
    a: TenantInfo
    b: TenantInfo
    actors: dict[tuple[int | None, str], Actor] = field(default_factory=dict)

    def actor(self, tenant: TenantInfo | None, role: str) -> Actor:
        if role in PROVIDER_ROLES:
            return self.actors[(None, role)]
        assert tenant is not None
        return self.actors[(tenant.commune_code, role)]

    def other(self, tenant: TenantInfo) -> TenantInfo:
        return self.b if tenant.commune_code == self.a.commune_code else self.a

    @staticmethod
    def host(tenant: TenantInfo | str) -> dict[str, str]:
        slug = tenant if isinstance(tenant, str) else tenant.slug
        return {"Host": f"{slug}.localhost"}

    def send(
        self, req: Req, *, tenant: TenantInfo | str | None = None, via: str = "host", actor: Actor | None = None
    ) -> httpx.Response:
        return self.call(
            req.method, req.path, tenant=tenant, via=via, actor=actor, params=req.params, json=req.json, data=req.data
        )

    def call(
        self,
        method: str,
        path: str,
        *,
        tenant: TenantInfo | str | None = None,
        via: str = "host",
        actor: Actor | None = None,
        headers: dict[str, str] | None = None,
        **kw: Any,
    ) -> httpx.Response:
        """A request on a commune's host (`via="host"`), under its `/t/{slug}` prefix (`via="prefix"`)
        or, with no commune, on the platform's own host."""
        all_headers = dict(actor.auth if actor else {})
        if tenant is not None and via == "host":
            all_headers.update(self.host(tenant))
        elif tenant is not None:
            slug = tenant if isinstance(tenant, str) else tenant.slug
            path = f"/t/{slug}{path}"
        all_headers.update(headers or {})
        return self.client.request(method, path, headers=all_headers, **kw)


@pytest.fixture(scope="session")
def api(communes: tuple[TenantInfo, TenantInfo]) -> Iterator[Api]:
    reset_enforcer()
    reset_resolver()
    reset_validators()
    a, b = communes
    app = create_app()
    get_resolver().start_listener()
    world = Api(app=app, client=TestClient(app), a=a, b=b)
    for tenant in (a, b):
        for role in COMMUNE_ROLES:
            world.actors[(tenant.commune_code, role)] = make_commune_user(tenant, role)
        for _ in range(2):
            add_village(tenant)
    for role in PROVIDER_ROLES:
        world.actors[(None, role)] = make_provider_user(role)
    with world.client:
        yield world
    reset_enforcer()
    reset_resolver()
    reset_validators()


@pytest.fixture(autouse=True)
def _listening_resolver(request: pytest.FixtureRequest) -> None:
    """Another suite may have replaced the resolver: the API process must still hear registry changes."""
    if "api" in request.fixturenames:
        get_resolver().start_listener()


class Kit:
    """The helpers above as one fixture (test modules cannot import conftest under importlib mode)."""

    unique = staticmethod(unique)
    make_commune_user = staticmethod(make_commune_user)
    make_provider_user = staticmethod(make_provider_user)
    scalar = staticmethod(scalar)
    audit_count = staticmethod(audit_count)
    audit_rows = staticmethod(audit_rows)
    max_audit_id = staticmethod(max_audit_id)
    village_count = staticmethod(village_count)
    add_village = staticmethod(add_village)
    commune_state = staticmethod(commune_state)
    unused_commune_codes = staticmethod(unused_commune_codes)
    wait_for = staticmethod(wait_for)
    error_code = staticmethod(error_code)
    routes = ROUTES
    request_for = staticmethod(request_for)
    fresh_role = staticmethod(fresh_role)
    fresh_member = staticmethod(fresh_member)
    no_such_commune = NO_SUCH_COMMUNE
    password = PASSWORD
    seeder = SEEDER


@pytest.fixture(scope="session")
def kit() -> type[Kit]:
    return Kit
