"""Provider staff read the kept province roll-ups over HTTP: a province's monthly history and every
province of one month; commune tokens and bad months are refused."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from testsupport.commune_world import Person, World, commune_world, new_person, unique

from smartcommune.platform.insight import service
from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.session import tenant_transaction

CRITERIA = [
    {"code": "address_coded", "name_vi": "Địa chỉ được mã hóa", "name_en": "Coded addresses", "target_percent": 90},
    {"code": "applications_online", "name_vi": "Hồ sơ trực tuyến", "name_en": "Online", "target_percent": 80},
]


@pytest.fixture(scope="module")
def world(communes: tuple[TenantInfo, TenantInfo]) -> Iterator[World]:
    with commune_world(communes) as w:
        yield w


def provider(role: str) -> Person:
    from smartcommune.platform.identity.accounts import create_account, issue_token_for
    from smartcommune.tenants.database import app_engine
    from smartcommune.tenants.principal import PROVIDER_REALM

    username = unique(role.replace("_", ""))
    account = create_account(app_engine(), realm=PROVIDER_REALM, username=username, realm_roles=[role])
    return Person(str(account), username, issue_token_for(account))


def test_province_history_and_month_comparison(world: World) -> None:
    a, b = world.a, world.b
    for t in (a, b):
        with tenant_transaction(t) as db:
            service.upsert_criteria_targets(db, CRITERIA)
            service.snapshot(db, "2025-05")
            service.snapshot(db, "2025-06")
    for month in ("2025-05", "2025-06"):
        service.snapshot_rollup(a.province_code, [a], month)
        service.snapshot_rollup(b.province_code, [b], month)
    staff = provider("provider_operator")
    path = f"/api/provider/v1/insight/provinces/{a.province_code}/criteria/history"
    history = world.call("GET", path, None, staff, params={"since": "2025-05"})
    assert history.status_code == 200, history.text
    rows = history.json()
    assert {r["province_code"] for r in rows} == {a.province_code}
    assert [r["month"] for r in rows] == sorted((r["month"] for r in rows), reverse=True)
    assert {"2025-05", "2025-06"} <= {r["month"] for r in rows}
    one = world.call("GET", path, None, staff, params={"code": "address_coded", "since": "2025-05"}).json()
    assert {r["code"] for r in one} == {"address_coded"} and one[0]["communes"] == 1
    assert set(one[0]) >= {"value_percent", "numerator", "denominator", "communes_met", "communes_without_data"}
    month = world.call("GET", "/api/provider/v1/insight/criteria/rollups", None, staff, params={"month": "2025-06"})
    assert {a.province_code, b.province_code} <= {r["province_code"] for r in month.json()}
    bad = world.call("GET", path, None, staff, params={"since": "2025-13"})
    assert bad.status_code == 422
    official = new_person(a, "commune_admin")
    assert world.call("GET", path, None, official).status_code == 401  # a commune token, wrong realm
    assert world.call("GET", path, a, staff).status_code == 404  # the provider API is not on a commune's host
