"""Every test runs against real PostgreSQL: `DATABASE_URL`'s server when set, else the embedded pgserver.

Each test session gets its own throwaway database (and its own role prefix, since roles are cluster-wide),
bootstrapped to the control head, with two communes so cross-tenant leaks show.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from testsupport.databases import bootstrapped_database

from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.database import owner_engine
from smartcommune.tenants.registry import create_commune

# Every TestClient request comes from one address ("testclient"): the per-address OTP limit would trip
# across unrelated tests. tests/platform/api/test_api_otp_pumping.py sets it low itself.
os.environ.setdefault("OTP_REQUESTS_PER_ADDRESS_PER_HOUR", "100000")

CAM_LO = 19597
HAU_LOC = 16012


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    with bootstrapped_database() as url:
        yield url


@pytest.fixture(scope="session")
def communes(database_url: str) -> tuple[TenantInfo, TenantInfo]:
    """Two communes in different provinces: Xã Cam Lộ (Quảng Trị) and Xã Hậu Lộc (Thanh Hóa)."""
    a = create_commune(owner_engine(), CAM_LO).tenant
    b = create_commune(owner_engine(), HAU_LOC).tenant
    return a, b
