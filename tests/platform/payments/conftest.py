"""The real app on the test database, with the bank webhook secrets set for the test."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from smartcommune.main import create_app
from smartcommune.platform.http.tenancy import reset_resolver
from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.settings import get_settings

SEPAY_KEY = "sepay-test-key-7f3a"
PAYOS_KEY = "payos-test-checksum-1c9d"


@pytest.fixture(scope="module")
def client(communes: tuple[TenantInfo, TenantInfo]) -> Iterator[TestClient]:
    saved = {k: os.environ.get(k) for k in ("SEPAY_API_KEY", "PAYOS_CHECKSUM_KEY", "ENVIRONMENT")}
    os.environ.update({"SEPAY_API_KEY": SEPAY_KEY, "PAYOS_CHECKSUM_KEY": PAYOS_KEY, "ENVIRONMENT": "test"})
    get_settings.cache_clear()
    reset_resolver()
    try:
        with TestClient(create_app()) as c:
            yield c
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        get_settings.cache_clear()
        reset_resolver()
