"""Engines and role names. Two logins: the owner (DDL) and the app role (may only SET ROLE to communes)."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from smartcommune.tenants.settings import Settings, get_settings

_embedded_lock = threading.Lock()


def _sqlalchemy_url(url: str) -> str:
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def embedded_database_url(settings: Settings) -> str:
    """Start (or reuse) the embedded PostgreSQL from the `pgserver` wheel under the data folder."""
    import pgserver

    with _embedded_lock:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        server = pgserver.get_server(settings.data_dir / "pg", cleanup_mode=None)
        uri: str = server.get_uri()
    return uri


@lru_cache
def owner_url() -> str:
    settings = get_settings()
    return _sqlalchemy_url(settings.database_url or embedded_database_url(settings))


@dataclass(frozen=True)
class RoleNames:
    """Cluster-wide role names, prefixed by the database name so several databases share a cluster."""

    prefix: str

    @property
    def app(self) -> str:
        return f"{self.prefix}_app"

    def commune(self, schema_name: str) -> str:
        return f"{self.prefix}_{schema_name}"


@lru_cache
def role_names() -> RoleNames:
    database = make_url(owner_url()).database or "postgres"
    return RoleNames(prefix=re.sub(r"[^a-z0-9_]", "_", database.lower())[:40])


@lru_cache
def app_url() -> str:
    settings = get_settings()
    if settings.app_database_url:
        return _sqlalchemy_url(settings.app_database_url)
    url = make_url(owner_url()).set(username=role_names().app, password=settings.app_db_password or None)
    return url.render_as_string(hide_password=False)


def listen_dsn() -> str:
    """libpq DSN for LISTEN connections (tenant cache, policy watcher): direct, bypassing any pooler."""
    url = _sqlalchemy_url(get_settings().listen_database_url) if get_settings().listen_database_url else app_url()
    return url.replace("postgresql+psycopg://", "postgresql://")


# LIFO: the connection just returned is the next one handed out, so a process keeps working on the few
# backends it used last instead of rotating through its whole pool. A backend that has been idle while
# another creates a commune has had its caches reset by that DDL's invalidation traffic; its next
# `SET ROLE` then rebuilds the app login's membership list, one role per commune, O(n²) on PostgreSQL 15
# (~32 ms at 3,000 communes). Fewer distinct backends in use means fewer such rebuilds.
@lru_cache
def owner_engine() -> Engine:
    return create_engine(owner_url(), pool_pre_ping=True, pool_size=5, max_overflow=10, pool_use_lifo=True)


@lru_cache
def app_engine() -> Engine:
    return create_engine(app_url(), pool_pre_ping=True, pool_size=10, max_overflow=20, pool_use_lifo=True)


def reset_engines() -> None:
    """Forget engines and derived names (tests switch databases)."""
    for cached in (owner_engine, app_engine):
        if cached.cache_info().currsize:
            cached().dispose()
        cached.cache_clear()
    for fn in (owner_url, app_url, role_names):
        fn.cache_clear()
    get_settings.cache_clear()


def quote_ident(name: str) -> str:
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", name):
        raise ValueError(f"unsafe identifier: {name!r}")
    return f'"{name}"'


def ping(engine: Engine) -> None:
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
