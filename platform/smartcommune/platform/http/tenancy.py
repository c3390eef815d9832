"""Request → commune: from `/t/{slug}/...`, `<slug>.<base domain>`, or a custom domain.

Resolution goes through an in-process TTL cache; a PostgreSQL LISTEN on the registry's channel drops
entries the moment a commune is created, suspended, resumed or deleted, so a warm cache sends no catalog
query per request and still sees status changes at once.
"""

from __future__ import annotations

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
        return self._cached(self._by_slug, slug, lambda: self._load(Tenant.slug == slug))

    def by_host(self, host: str) -> TenantInfo | None:
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
