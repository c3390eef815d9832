"""Every test runs against real PostgreSQL: `DATABASE_URL`'s server when set, else the embedded pgserver.

Each test session gets its own throwaway database (and its own role prefix, since roles are cluster-wide),
bootstrapped to the control head, with two communes so cross-tenant leaks show.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy.engine import make_url

from smartcommune.tenants.bootstrap import bootstrap
from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.database import embedded_database_url, owner_engine, reset_engines
from smartcommune.tenants.migrations.runtime import reset_caches
from smartcommune.tenants.registry import create_commune
from smartcommune.tenants.settings import Settings

CAM_LO = 19597
HAU_LOC = 16012


def _server_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    settings = Settings()
    return embedded_database_url(settings)


def _libpq(url: str, database: str | None = None) -> str:
    u = make_url(url.replace("postgresql+psycopg://", "postgresql://"))
    if database:
        u = u.set(database=database)
    return u.render_as_string(hide_password=False).replace("postgresql+psycopg://", "postgresql://")


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    server = _server_url()
    name = f"sc_test_{uuid.uuid4().hex[:8]}"
    admin = _libpq(server, "postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = _libpq(server, name)
    previous = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = url
    reset_engines()
    reset_caches()
    bootstrap(owner_engine())
    try:
        yield url
    finally:
        reset_engines()
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            roles = conn.execute("SELECT rolname FROM pg_roles WHERE rolname LIKE %s", (name + "\\_%",)).fetchall()
            for (role,) in roles:
                conn.execute(f'DROP ROLE IF EXISTS "{role}"')
        if previous is None:
            os.environ.pop("DATABASE_URL", None)
        else:
            os.environ["DATABASE_URL"] = previous


@pytest.fixture(scope="session")
def communes(database_url: str) -> tuple[TenantInfo, TenantInfo]:
    """Two communes in different provinces: Xã Cam Lộ (Quảng Trị) and Xã Hậu Lộc (Thanh Hóa)."""
    a = create_commune(owner_engine(), CAM_LO).tenant
    b = create_commune(owner_engine(), HAU_LOC).tenant
    return a, b
