"""Request → commune: from `/t/{slug}/...`, `<slug>.<base domain>`, or a custom domain.

Resolution goes through an in-process TTL cache; a PostgreSQL LISTEN on the registry's channel drops
entries the moment a commune is created, suspended, resumed or deleted, so a warm cache sends no catalog
query per request and still sees status changes at once.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import psycopg
import structlog
from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session
from starlette.types import ASGIApp, Receive, Scope, Send

from smartcommune.tenants.context import TenantInfo, current_tenant
from smartcommune.tenants.control.models import Tenant, TenantDomain
from smartcommune.tenants.database import app_engine, listen_dsn
from smartcommune.tenants.registry import TENANT_CHANNEL, info_from_row
from smartcommune.tenants.settings import get_settings

log = structlog.get_logger(__name__)
_NEGATIVE_TTL_S = 5.0
# A commune slug and a host name are ASCII labels: anything else never reaches the catalog query.
_SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")
_HOST = re.compile(r"[a-z0-9.:\[\]-]{1,260}")
# Characters the text policy refuses (see smartcommune.platform.http.policy): answered 422 here, before the
# tenancy lookup, since the slug is the first user input a request carries.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass
class _Entry:
    tenant: TenantInfo | None
    expires: float


class TenantResolver:
    def __init__(self, ttl_s: float) -> None:
        self.ttl_s = ttl_s
        self._by_slug: dict[str, _Entry] = {}
        self._by_host: dict[str, _Entry] = {}
        self._lock = threading.Lock()
        self.catalog_queries = 0
        self._listener: threading.Thread | None = None
        self._stopping = threading.Event()

    def by_slug(self, slug: str) -> TenantInfo | None:
        if not _SLUG.fullmatch(slug):
            return None  # cannot be a commune's slug: no catalog query
        return self._cached(self._by_slug, slug, lambda: self._load(Tenant.slug == slug))

    def by_host(self, host: str) -> TenantInfo | None:
        if not _HOST.fullmatch(host.lower()):
            return None
        host = host.split(":", 1)[0].lower().rstrip(".")
        base = get_settings().base_domain.lower()
        if host.endswith("." + base):
            label = host[: -len(base) - 1]
            if "." not in label and label not in ("www", "api", "console"):
                return self.by_slug(label)
            return None
        if host == base or host in ("localhost", "127.0.0.1", "testserver"):
            return None
        return self._cached(self._by_host, host, lambda: self._load_domain(host))

    def invalidate(self, _slug: str | None = None) -> None:
        with self._lock:
            self._by_slug.clear()
            self._by_host.clear()

    def _cached(self, table: dict[str, _Entry], key: str, load: Callable[[], TenantInfo | None]) -> TenantInfo | None:
        now = time.monotonic()
        entry = table.get(key)
        if entry is not None and entry.expires > now:
            return entry.tenant
        tenant = load()
        ttl = self.ttl_s if tenant is not None else _NEGATIVE_TTL_S
        with self._lock:
            table[key] = _Entry(tenant, now + ttl)
        return tenant

    def _load(self, condition: ColumnElement[bool]) -> TenantInfo | None:
        self.catalog_queries += 1
        with Session(app_engine()) as session:
            row = session.scalars(select(Tenant).where(condition)).one_or_none()
            return info_from_row(row) if row is not None else None

    def _load_domain(self, host: str) -> TenantInfo | None:
        return self._load(Tenant.id.in_(select(TenantDomain.tenant_id).where(TenantDomain.hostname == host)))

    def start_listener(self) -> None:
        """Background LISTEN on the registry channel; reconnects after errors."""
        if self._listener is not None:
            return
        self._listener = threading.Thread(target=self._listen_forever, name="tenant-listener", daemon=True)
        self._listener.start()

    def stop(self) -> None:
        """End the listener thread (it checks once a second)."""
        self._stopping.set()
        if self._listener is not None:
            self._listener.join(timeout=5)
            self._listener = None

    def _listen_forever(self) -> None:
        dsn = listen_dsn()
        while not self._stopping.is_set():
            try:
                with psycopg.connect(dsn, autocommit=True) as conn:
                    conn.execute(f"LISTEN {TENANT_CHANNEL}")
                    self.invalidate()  # anything may have changed while we were not listening
                    while not self._stopping.is_set():
                        for note in conn.notifies(timeout=1.0):
                            self.invalidate(note.payload)
            except Exception as exc:
                if self._stopping.is_set():
                    return
                log.warning("tenant_listener_error", error=str(exc))
                self._stopping.wait(1.0)


_resolver: TenantResolver | None = None


def get_resolver() -> TenantResolver:
    global _resolver
    if _resolver is None:
        _resolver = TenantResolver(get_settings().tenant_cache_ttl_s)
    return _resolver


def reset_resolver() -> None:
    """Forget the resolver and stop its listener (tests switch databases)."""
    global _resolver
    if _resolver is not None:
        _resolver.stop()
    _resolver = None


class TenantResolutionMiddleware:
    """Pure ASGI: sets `current_tenant` and scope["state"]["tenant"]; strips a `/t/{slug}` prefix."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        resolver = get_resolver()
        tenant: TenantInfo | None = None
        path: str = scope["path"]
        if scope["type"] == "http" and _CONTROL.search(path):
            await _refuse_control_character(path, send)
            return
        if path.startswith("/t/"):
            slug, _, rest = path[3:].partition("/")
            tenant = resolver.by_slug(slug)
            scope = dict(scope, path="/" + rest, root_path=scope.get("root_path", "") + f"/t/{slug}")
            scope["raw_path"] = scope["path"].encode()
        else:
            host = next((v.decode("latin-1") for k, v in scope.get("headers", ()) if k == b"host"), "")
            tenant = resolver.by_host(host)
        scope.setdefault("state", {})["tenant"] = tenant
        token = current_tenant.set(tenant)
        try:
            await self.app(scope, receive, send)
        finally:
            current_tenant.reset(token)


async def _refuse_control_character(path: str, send: Send) -> None:
    """422 `invalid_characters` for a control character in the path (the commune slug or a later segment)."""
    field = "path.slug" if path.startswith("/t/") and _CONTROL.search(path[3:].partition("/")[0]) else "path"
    match = _CONTROL.search(path)
    position = match.start() if match else 0
    error = {
        "code": "invalid_characters",
        "message": f"Trường «{field}» chứa ký tự điều khiển không được phép (vị trí {position}).",
        "message_en": f"Field '{field}' contains a control character that is not allowed (position {position}).",
        "details": {"field": field, "position": position},
    }
    body = json.dumps({"error": error}, ensure_ascii=False).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 422, "headers": headers})
    await send({"type": "http.response.body", "body": body})
