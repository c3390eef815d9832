"""Fleet health across communes: each commune measured in its own transaction, figures kept in control,
the console's page read in a bounded number of queries, one commune's figures never another's."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, event, select, update
from testsupport.fresh import fresh_commune, unused_commune_codes

from smartcommune.main import create_app
from smartcommune.platform.cameras.models import Camera
from smartcommune.platform.devices.models import Device, DeviceProfile
from smartcommune.platform.http.tenancy import reset_resolver
from smartcommune.platform.identity.accounts import create_account, issue_token_for
from smartcommune.platform.identity.tokens import reset_validators
from smartcommune.platform.reports.models import Report, ReportCategory
from smartcommune.provisioning.fleet import service
from smartcommune.provisioning.fleet.models import FleetHealth
from smartcommune.provisioning.manifests.parse import Rejected
from smartcommune.provisioning.rollouts import service as rollouts
from smartcommune.provisioning.runs.schemas import RunSpec
from smartcommune.tenants.authz.authorizer import reset_enforcer
from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.control.models import ProvisioningRollout, ProvisioningRun
from smartcommune.tenants.database import app_engine, owner_engine
from smartcommune.tenants.principal import PROVIDER_REALM
from smartcommune.tenants.session import tenant_transaction

NOW = datetime.now(UTC)


def _seed(tenant: TenantInfo, *, cameras_offline: int, devices_offline: int, overdue: int) -> None:
    """Health figures written straight into the commune's tables (what the sweeps would have recorded)."""
    with tenant_transaction(tenant) as db:
        for i in range(cameras_offline + 1):  # one camera stays online
            db.add(Camera(name=f"cam {i}", stream_url="rtsp://10.0.0.1/s", status="online" if i == 0 else "offline"))
        profile = DeviceProfile(code=f"p-{tenant.commune_code}", name="Cảm biến")
        db.add(profile)
        db.flush()
        for i in range(devices_offline):
            db.add(
                Device(
                    uid=f"d{i}-{tenant.commune_code}",
                    serial=f"S{i}",
                    name=f"Thiết bị {i}",
                    profile_id=profile.id,
                    mqtt_username=f"m{i}-{tenant.commune_code}",
                    presence="offline",
                )
            )
        category = ReportCategory(code=f"k-{tenant.commune_code}", name="Đường", sla_hours=24, responsible_role="x")
        db.add(category)
        db.flush()
        for i in range(overdue + 1):  # one open report still within its SLA, one resolved late (not counted)
            due = NOW - timedelta(hours=1) if i < overdue else NOW + timedelta(days=1)
            db.add(Report(category_id=category.id, description="ổ gà", status="new", sla_due_at=due))
        db.add(
            Report(category_id=category.id, description="xong", status="resolved", sla_due_at=NOW - timedelta(days=3))
        )


def _clear(tenant: TenantInfo) -> None:
    with tenant_transaction(tenant) as db:
        for model in (Report, ReportCategory, Device, DeviceProfile, Camera):
            db.execute(delete(model))


@pytest.fixture(scope="module")
def pristine(database_url: str) -> tuple[TenantInfo, TenantInfo]:
    """Two communes of their own: the shared pair carries other suites' cameras, devices and reports."""
    return fresh_commune(), fresh_commune()


@pytest.fixture
def fleet(pristine: tuple[TenantInfo, TenantInfo]) -> Iterator[tuple[TenantInfo, TenantInfo]]:
    a, b = pristine
    _seed(a, cameras_offline=2, devices_offline=1, overdue=3)
    _seed(b, cameras_offline=0, devices_offline=2, overdue=0)
    yield a, b
    for t in (a, b):
        _clear(t)
    with app_engine().begin() as conn:
        conn.execute(delete(FleetHealth))


def _row(tenant: TenantInfo) -> Any:
    items, total = service.page(app_engine(), commune_code=tenant.commune_code)
    assert total == 1
    return items[0]


def test_snapshot_measures_each_commune_in_its_own_schema(fleet: tuple[TenantInfo, TenantInfo]) -> None:
    a, b = fleet
    assert service.snapshot(app_engine(), [a, b]) == 2
    ra, rb = _row(a), _row(b)
    assert (ra.cameras_total, ra.cameras_offline, ra.devices_offline, ra.reports_open, ra.reports_overdue) == (
        3,
        2,
        1,
        4,
        3,
    )
    assert (rb.cameras_total, rb.cameras_offline, rb.devices_offline, rb.reports_open, rb.reports_overdue) == (
        1,
        0,
        2,
        1,
        0,
    )
    assert ra.computed_at is not None and ra.error is None
    # Worst first, and the problem filters pick the right commune.
    items, _ = service.page(app_engine())
    assert [i.commune_code for i in items[:2]] == [a.commune_code, b.commune_code]
    only_cameras, n = service.page(app_engine(), only="cameras")
    assert n == 1 and only_cameras[0].commune_code == a.commune_code
    only_reports, _ = service.page(app_engine(), only="reports")
    assert [i.commune_code for i in only_reports] == [a.commune_code]
    totals = service.totals(app_engine())
    assert (totals.cameras_offline, totals.devices_offline, totals.reports_overdue) == (2, 3, 3)
    # A second snapshot updates in place (one row per commune).
    _clear(b)
    service.snapshot(app_engine(), [a, b])
    assert _row(b).devices_offline == 0 and _row(a).cameras_offline == 2
    with app_engine().connect() as conn:
        assert len(conn.execute(select(FleetHealth.commune_code)).all()) == 2


def test_a_commune_that_cannot_be_measured_keeps_its_last_figures(fleet: tuple[TenantInfo, TenantInfo]) -> None:
    a, b = fleet
    service.snapshot(app_engine(), [a, b])
    broken = TenantInfo(a.id, a.slug, a.commune_code, a.province_code, a.name, a.status, "c_khong_co", a.role_name)
    service.snapshot(app_engine(), [broken, b])
    row = _row(a)
    assert row.error and row.cameras_offline == 2  # last good figures stay, with the reason
    assert _row(b).error is None


def test_the_page_costs_two_queries_whatever_the_fleet_size(fleet: tuple[TenantInfo, TenantInfo]) -> None:
    service.snapshot(app_engine(), list(fleet))
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    event.listen(app_engine(), "before_cursor_execute", count)
    try:
        service.page(app_engine(), limit=500)
        service.map_points(app_engine())
    finally:
        event.remove(app_engine(), "before_cursor_execute", count)
    assert len(statements) == 3


@pytest.fixture
def client(communes: tuple[TenantInfo, TenantInfo]) -> Iterator[tuple[TestClient, dict[str, str]]]:
    reset_enforcer()
    reset_resolver()
    reset_validators()
    account = create_account(
        app_engine(), realm=PROVIDER_REALM, username="fleet.tester", realm_roles=["provider_operator"]
    )
    with TestClient(create_app()) as c:
        yield c, {"Authorization": f"Bearer {issue_token_for(account)}"}
    reset_enforcer()
    reset_resolver()
    reset_validators()


def test_provider_api(fleet: tuple[TenantInfo, TenantInfo], client: tuple[TestClient, dict[str, str]]) -> None:
    a, b = fleet
    http, auth = client
    page = http.get("/api/provider/v1/fleet/health", headers=auth).json()
    assert page["total"] >= 2 and all(i["computed_at"] is None for i in page["items"])  # not measured yet
    r = http.post(f"/api/provider/v1/fleet/health/{a.slug}/refresh", headers=auth)
    assert r.status_code == 200 and r.json()["reports_overdue"] == 3 and r.json()["commune_code"] == a.commune_code
    page = http.get("/api/provider/v1/fleet/health", params={"only": "problems"}, headers=auth).json()
    assert [i["slug"] for i in page["items"]] == [a.slug]  # b is not measured yet
    r = http.post("/api/provider/v1/fleet/health/khong-co-xa-nay/refresh", headers=auth)
    assert r.status_code == 404 and r.json()["error"]["code"]
    r = http.get("/api/provider/v1/fleet/health", params={"only": "bogus"}, headers=auth)
    assert r.status_code == 422
    points = http.get("/api/provider/v1/fleet/map", headers=auth).json()
    by_code = {p["commune_code"]: p for p in points}
    assert by_code[a.commune_code]["problems"] == 6 and by_code[b.commune_code]["problems"] is None
    assert http.get("/api/provider/v1/fleet/map").status_code == 401
    assert http.get("/api/provider/v1/fleet/rollouts", headers=auth).status_code == 200


def test_recent_rollouts_count_their_runs_in_one_query(communes: tuple[TenantInfo, TenantInfo]) -> None:
    code = unused_commune_codes(1)[0]
    started = rollouts.start(
        owner_engine(),
        [RunSpec(commune_code=code)],
        scope="manifest",
        template="base",
        requested_by="fleet.tester",
        rejected=[Rejected(row=3, reason="unknown commune code 1", code=1)],
    )
    try:
        with owner_engine().begin() as conn:
            conn.execute(
                update(ProvisioningRun)
                .where(ProvisioningRun.id == started.run_ids[0])
                .values(status="failed", error="x")
            )
        newest = service.recent_rollouts(app_engine(), limit=5)[0]
        assert newest.id == started.rollout_id
        assert (newest.total, newest.finished, newest.failed, newest.rejected) == (1, 1, 1, 1)
        assert newest.scope == "manifest" and newest.requested_by == "fleet.tester"
    finally:
        with owner_engine().begin() as conn:
            conn.execute(delete(ProvisioningRun).where(ProvisioningRun.rollout_id == started.rollout_id))
            conn.execute(delete(ProvisioningRollout).where(ProvisioningRollout.id == started.rollout_id))
