"""Open311 GeoReport v2 endpoints, per commune: `/open311/v2/<resource>.<json|xml>`.

The commune is `jurisdiction_id` (its official code) on the platform's own host, or the commune's host or
`/t/{slug}` prefix (where `jurisdiction_id` is optional and must match when given). Errors use the
standard's envelope, never the platform's JSON error shape, because Open311 clients parse it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from smartcommune.platform.common.text import PlainText
from smartcommune.platform.commune import service as commune_service
from smartcommune.platform.http.auth import CommuneCall, authorize
from smartcommune.platform.http.tenancy import get_resolver
from smartcommune.platform.open311 import keys
from smartcommune.platform.open311 import service as o311
from smartcommune.platform.open311.service import Links, Open311Error
from smartcommune.tenants.context import TenantInfo, current_tenant
from smartcommune.tenants.database import app_engine
from smartcommune.tenants.errors import AppError
from smartcommune.tenants.registry import get_commune
from smartcommune.tenants.session import TenantSession, tenant_session, unit_of_work

router = APIRouter(prefix="/open311/v2", tags=["open311"])
keys_router = APIRouter(prefix="/api/v1/open311/keys", tags=["open311"])
FORMATS = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}

# commune code → slug; the resolver (TTL cache + LISTEN invalidation) then gives the current TenantInfo.
_slugs: dict[int, tuple[str | None, float]] = {}
_slugs_lock = threading.Lock()
_SLUG_TTL_S = 60.0


def _slug_for(code: int) -> str | None:
    now = time.monotonic()
    cached = _slugs.get(code)
    if cached is not None and cached[1] > now:
        return cached[0]
    try:
        slug: str | None = get_commune(app_engine(), code).slug
    except AppError:
        slug = None
    with _slugs_lock:
        _slugs[code] = (slug, now + (_SLUG_TTL_S if slug else 5.0))
    return slug


def _tenant(request: Request, jurisdiction_id: str | None) -> TenantInfo:
    here: TenantInfo | None = request.scope.get("state", {}).get("tenant")
    wanted = (jurisdiction_id or "").strip()
    if wanted and not (wanted.isascii() and wanted.isdigit() and len(wanted) <= 9):
        raise Open311Error(404, f"jurisdiction_id {wanted} not found")
    if here is None:
        if not wanted:
            raise Open311Error(400, "jurisdiction_id is required (the commune code)")
        slug = _slug_for(int(wanted))
        here = get_resolver().by_slug(slug) if slug else None
        if here is None:
            raise Open311Error(404, f"jurisdiction_id {wanted} not found")
    elif wanted and int(wanted) != here.commune_code:
        raise Open311Error(404, f"jurisdiction_id {wanted} not found")
    if here.status == "suspended":
        raise Open311Error(423, "this jurisdiction is suspended")
    return here


def _render(fmt: str, root: str, item: str | None, payload: Any, status: int = 200) -> Response:
    if fmt == "xml":
        return Response(o311.to_xml(root, item, payload), status_code=status, media_type=FORMATS["xml"])
    import json

    return Response(json.dumps(payload, ensure_ascii=False), status_code=status, media_type=FORMATS["json"])


def _error(fmt: str, code: int, description: str) -> Response:
    return _render(fmt, "errors", "error", [{"code": code, "description": description}], status=code)


_APP_TO_HTTP = {"rate_limited": 429}


async def _serve(
    request: Request,
    fmt: str,
    root: str,
    item: str | None,
    work: Callable[[TenantSession, TenantInfo, dict[str, str]], Any],
    *,
    status: int = 200,
) -> Response:
    if fmt not in FORMATS:
        return _error("json", 404, f"format {fmt} not supported: use .json or .xml")
    params = dict(request.query_params)
    if request.method == "POST":
        ctype = request.headers.get("content-type", "")
        if not ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            return _error(fmt, 400, "POST requests must be form-encoded (application/x-www-form-urlencoded)")
        form = await request.form()
        params.update({k: v for k, v in form.items() if isinstance(v, str)})
    try:
        tenant = _tenant(request, params.get("jurisdiction_id"))

        def run() -> Any:
            token = current_tenant.set(tenant)
            try:
                with unit_of_work(tenant_session(tenant)) as db:
                    return work(db, tenant, params)
            finally:
                current_tenant.reset(token)

        payload = await run_in_threadpool(run)
    except Open311Error as e:
        return _error(fmt, e.code, e.description)
    except AppError as e:
        return _error(fmt, e.status, e.message_en)
    return _render(fmt, root, item, payload, status=status)


def _links(request: Request, tenant: TenantInfo) -> Links:
    host = request.headers.get("host", "localhost")
    return Links(base=f"{request.url.scheme}://{host}/t/{tenant.slug}")


@router.get("/discovery.{fmt}", summary="GeoReport v2: service discovery")
async def get_discovery(fmt: str, request: Request) -> Response:
    """Where the endpoint is and who runs it. On the platform's own host (no commune) it names the shared
    endpoint, which then needs `jurisdiction_id` on every call."""
    if fmt not in FORMATS:
        return _error("json", 404, f"format {fmt} not supported: use .json or .xml")
    host = request.headers.get("host", "localhost")
    here: TenantInfo | None = request.scope.get("state", {}).get("tenant")
    wanted = (request.query_params.get("jurisdiction_id") or "").strip()
    if here is None and not wanted:
        url = f"{request.url.scheme}://{host}/open311/v2"
        doc = o311.discovery(url, "Smart Commune", "API keys are issued by each commune.")
        return _render(fmt, "discovery", None, doc)

    def work(db: TenantSession, tenant: TenantInfo, _p: dict[str, str]) -> Any:
        b = commune_service.public_branding(db, tenant)
        contact = " · ".join(x for x in (b.name, b.address, b.contact_phone, b.contact_email) if x)
        url = f"{_links(request, tenant).base}/open311/v2"
        return o311.discovery(url, contact, f"API keys are issued by {b.name} (commune admin console, Open311).")

    return await _serve(request, fmt, "discovery", None, work)


@router.get("/services.{fmt}", summary="GeoReport v2: GET services")
async def get_services(fmt: str, request: Request) -> Response:
    return await _serve(request, fmt, "services", "service", lambda db, _t, _p: o311.services(db))


@router.get("/services/{service_code}.{fmt}", summary="GeoReport v2: GET service definition")
async def get_service_definition(service_code: str, fmt: str, request: Request) -> Response:
    return await _serve(
        request, fmt, "service_definition", None, lambda db, _t, _p: o311.service_definition(db, service_code)
    )


@router.post("/requests.{fmt}", summary="GeoReport v2: POST service request (form-encoded, api_key)")
async def post_request(fmt: str, request: Request) -> Response:
    def work(db: TenantSession, tenant: TenantInfo, params: dict[str, str]) -> Any:
        key = keys.verify(db, params.get("api_key") or "")
        if key is None:
            raise Open311Error(403, "api_key is missing or invalid")
        keys.check_rate(db, key)
        return o311.create_request(db, tenant, params, key.id)

    return await _serve(request, fmt, "service_requests", "request", work, status=201)


@router.get("/requests.{fmt}", summary="GeoReport v2: GET service requests")
async def get_requests(fmt: str, request: Request) -> Response:
    return await _serve(
        request,
        fmt,
        "service_requests",
        "request",
        lambda db, t, p: o311.list_requests(db, t, p, _links(request, t)),
    )


@router.get("/requests/{service_request_id}.{fmt}", summary="GeoReport v2: GET service request")
async def get_request(service_request_id: str, fmt: str, request: Request) -> Response:
    return await _serve(
        request,
        fmt,
        "service_requests",
        "request",
        lambda db, t, _p: o311.get_request(db, t, service_request_id, _links(request, t)),
    )


@router.get("/tokens/{token}.{fmt}", summary="GeoReport v2: GET service_request_id from a token")
async def get_token(token: str, fmt: str, request: Request) -> Response:
    return await _serve(request, fmt, "service_requests", "request", lambda db, _t, _p: o311.get_token(db, token))


# -- API keys (commune admins) ------------------------------------------------------------------------
class KeyIn(BaseModel):
    name: PlainText = Field(min_length=1, max_length=120)


class KeyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    prefix: str
    created_by: str
    created_at: Any
    revoked_at: Any


class IssuedKey(KeyOut):
    api_key: str


@keys_router.get("", response_model=list[KeyOut])
def list_keys(call: CommuneCall = Depends(authorize("settings", "read"))) -> list[KeyOut]:
    return [KeyOut.model_validate(k) for k in keys.list_keys(call.db)]


@keys_router.post("", response_model=IssuedKey, status_code=201)
def issue_key(data: KeyIn, call: CommuneCall = Depends(authorize("settings", "write"))) -> IssuedKey:
    row, plain = keys.issue(call.db, data.name, actor=call.actor, actor_kind=call.actor_kind)
    return IssuedKey(**KeyOut.model_validate(row).model_dump(), api_key=plain)


@keys_router.delete("/{key_id}", status_code=204)
def revoke_key(key_id: int, call: CommuneCall = Depends(authorize("settings", "write"))) -> Response:
    keys.revoke(call.db, key_id, actor=call.actor, actor_kind=call.actor_kind)
    return Response(status_code=204)
