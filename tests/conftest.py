"""Every test runs against real PostgreSQL: `DATABASE_URL`'s server when set, else the embedded pgserver.

Each test session gets its own throwaway database (and its own role prefix, since roles are cluster-wide),
bootstrapped to the control head, with two communes so cross-tenant leaks show.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from testsupport.databases import create_database, drop_database

from smartcommune.tenants.bootstrap import bootstrap
from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.database import owner_engine, reset_engines
from smartcommune.tenants.migrations.runtime import reset_caches
from smartcommune.tenants.registry import create_commune

CAM_LO = 19597
HAU_LOC = 16012


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    url = create_database()
    previous = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = url
    os.environ["ENVIRONMENT"] = "test"
    reset_engines()
    reset_caches()
    bootstrap(owner_engine())
    try:
        yield url
    finally:
        reset_engines()
        drop_database(url)
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
