"""Provisioning runs in process: every step recorded, resumable after a crash, re-running changes nothing,
transient errors retried with backoff, a permanent error stops only that commune's run."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from testsupport.fresh import unused_commune_codes

from smartcommune.platform.devices.models import Device, DeviceRule
from smartcommune.platform.villages.models import Village
from smartcommune.provisioning.runs import service, steps, verify
from smartcommune.provisioning.runs.schemas import AdminContact, DeviceSpec, RunSpec
from smartcommune.tenants import registry
from smartcommune.tenants.authz.service import holders_of
from smartcommune.tenants.database import app_engine, owner_engine
from smartcommune.tenants.session import tenant_transaction

pytestmark = pytest.mark.usefixtures("no_stripe")

GIO_LINH = 19093  # Xã Nam Gianh, Quảng Trị
VINH_LINH = 19537  # Xã Cồn Tiên


class Died(BaseException):
    """Stands in for the process dying between two steps (not an Exception: nothing catches it)."""


def _snapshot(run_id):  # type: ignore[no-untyped-def]
    run, rows = service.get_run(owner_engine(), run_id)
    return run.status, [(s.name, s.status, s.attempts, s.finished_at) for s in rows]


def test_run_onboards_a_commune_and_rerun_changes_nothing(database_url: str) -> None:
    engine = owner_engine()
    spec = RunSpec(
        commune_code=GIO_LINH,
        slug="nam-gianh",
        template="coastal",
        admin=AdminContact(name="Nguyễn Văn An", phone="0912345678", email="an@giolinh.gov.vn"),
        devices=[DeviceSpec(uid="muc-nuoc-1", serial="SN-001", name="Trạm triều cửa Tùng", profile="tram-muc-nuoc")],
    )
    run_id = service.create_run(engine, spec)
    outcome = service.execute(engine, run_id, sleep=lambda s: None)
    assert outcome.status == "succeeded", outcome.error
    _, rows = service.get_run(engine, run_id)
    assert [s.name for s in rows] == [name for name, _ in steps.STEPS]
    status = {s.name: s.status for s in rows}
    assert status["billing"] == "skipped" and status["cameras"] == "skipped"
    assert all(v in ("succeeded", "skipped") for v in status.values())
    assert all(s.duration_ms is not None and s.finished_at is not None for s in rows)
    tenant = registry.get_commune(engine, GIO_LINH)
    assert tenant.status == "active" and tenant.template == "coastal"
    assert holders_of(app_engine(), GIO_LINH, ["commune_admin"])
    devices_out = {s.name: s.output for s in rows}["devices"]
    assert devices_out["devices"] == 1 and "enc" in devices_out["credentials_csv"]
    before = _snapshot(run_id)
    again = service.execute(engine, run_id)
    assert again.status == "succeeded" and again.executed_steps == 0
    assert _snapshot(run_id) == before
    # A second run of the same commune and template finds everything there and adds nothing.
    second = service.create_run(engine, spec.model_copy(update={"devices": []}))
    assert service.execute(engine, second).status == "succeeded"
    _, rows2 = service.get_run(engine, second)
    out = {s.name: s.output for s in rows2}
    assert out["register"]["created"] is False
    assert out["template"].get("add", 0) == 0 and out["template"].get("update", 0) == 0
    with tenant_transaction(registry.info_from_row(tenant)) as db:
        assert db.scalar(select(func.count()).select_from(Village)) == 6


def test_a_run_killed_between_steps_resumes_where_it_stopped(database_url: str) -> None:
    engine = owner_engine()
    run_id = service.create_run(engine, RunSpec(commune_code=VINH_LINH, admin=AdminContact(name="Lê Thị Bình")))

    def die_after_template(name: str) -> None:
        if name == "template":
            raise Died

    with pytest.raises(Died):
        service.execute(engine, run_id, after_step=die_after_template)
    status, rows = _snapshot(run_id)
    assert status == "running"
    done = [name for name, st, *_ in rows if st == "succeeded"]
    assert done == ["validate", "register", "schema", "template"]
    assert registry.get_commune(engine, VINH_LINH).status == "suspended"  # held until activate
    outcome = service.execute(engine, run_id)
    assert outcome.status == "succeeded"
    assert outcome.executed_steps == 6  # identity … activate, nothing before again
    _, rows = service.get_run(engine, run_id)
    assert {s.name: s.attempts for s in rows}["template"] == 1
    assert registry.get_commune(engine, VINH_LINH).status == "active"


def test_transient_errors_are_retried_and_permanent_errors_stop_only_that_run(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = owner_engine()
    calls = {"n": 0}
    real_identity = steps.identity

    def flaky(ctx: steps.StepContext) -> dict[str, object]:
        calls["n"] += 1
        if calls["n"] < 3:
            raise service.Transient("Keycloak did not answer")
        return real_identity(ctx)

    monkeypatch.setattr(steps, "STEPS", tuple((n, flaky if n == "identity" else f) for n, f in steps.STEPS))
    monkeypatch.setattr(service, "STEPS", steps.STEPS)
    waits: list[float] = []
    good_code, bad_code = unused_commune_codes(2)
    good = service.create_run(engine, RunSpec(commune_code=good_code, admin=AdminContact(name="Trần Văn Cường")))
    bad = service.create_run(
        engine,
        RunSpec(
            commune_code=bad_code,
            devices=[DeviceSpec(uid="x1", serial="S1", name="Không có hồ sơ", profile="khong-co")],
        ),
    )
    assert service.execute(engine, bad, sleep=waits.append).status == "failed"
    outcome = service.execute(engine, good, sleep=waits.append)
    assert outcome.status == "succeeded", outcome.error
    assert waits == [0.5, 1.0]  # exponential backoff
    _, rows = service.get_run(engine, good)
    assert {s.name: s.attempts for s in rows}["identity"] == 3
    run, rows = service.get_run(engine, bad)
    assert run.status == "failed" and run.error is not None
    assert run.error.startswith("validate: unknown_device_profile")
    assert "khong-co" in run.error
    # Reopened, it fails the same way (a permanent error), and it never created the commune.
    assert service.reopen(engine, [bad]) == [bad]
    assert service.execute(engine, bad).status == "failed"
    with pytest.raises(Exception, match="Commune not found"):
        registry.get_commune(engine, bad_code)


def test_devices_get_their_profiles_automation_rules_and_verify_goes_through_the_api(database_url: str) -> None:
    engine = owner_engine()
    (code,) = unused_commune_codes(1)
    spec = RunSpec(
        commune_code=code,
        template="hydroponics",
        admin=AdminContact(name="Đỗ Văn Hùng"),
        devices=[
            DeviceSpec(uid="tuoi-1", serial="BT-1", name="Bộ tưới nhà màng 1", profile="bo-tuoi"),
            DeviceSpec(uid="nha-mang-1", serial="NM-1", name="Cảm biến nhà màng 1", profile="nha-mang"),
        ],
    )
    run_id = service.create_run(engine, spec)
    outcome = service.execute(engine, run_id, sleep=lambda s: None)
    assert outcome.status == "succeeded", outcome.error
    out = {s.name: s.output for s in service.get_run(engine, run_id)[1]}
    assert out["devices"]["rules"] == 1  # only the irrigation controller's profile has a rule
    # verify called the HTTP API as the first admin (public profile and procedures, villages, categories, me)
    assert out["verify"]["as"] == "commune_admin" and out["verify"]["api_calls"] == 5
    assert out["verify"]["villages"] == 6 and out["verify"]["modules"] == len(steps.shipped("hydroponics").modules)
    tenant = registry.info_from_row(registry.get_commune(engine, code))
    with tenant_transaction(tenant) as db:
        (rule,) = db.scalars(select(DeviceRule)).all()
        device = db.scalar(select(Device).where(Device.uid == "tuoi-1"))
        assert device is not None
        assert (rule.sensor_device_id, rule.target_device_id) == (device.id, device.id)
        assert (rule.field, rule.op, rule.threshold, rule.clear_threshold, rule.duration_s) == (
            "soil_moisture",
            "below",
            30.0,
            35.0,
            600,
        )
        assert (rule.command, rule.params) == ("irrigate", {"minutes": 15})
    # Another run with the same devices adds no second rule.
    again = service.create_run(engine, spec)
    assert service.execute(engine, again).status == "succeeded"
    with tenant_transaction(tenant) as db:
        assert db.scalar(select(func.count()).select_from(DeviceRule)) == 1


def test_a_commune_is_born_held_and_a_failed_verify_keeps_it_held(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = owner_engine()
    (code,) = unused_commune_codes(1)

    def die_after_register(name: str) -> None:
        if name == "register":
            raise Died

    run_id = service.create_run(engine, RunSpec(commune_code=code, admin=AdminContact(name="Vũ Thị Mai")))
    with pytest.raises(Died):
        service.execute(engine, run_id, after_step=die_after_register)
    row = registry.get_commune(engine, code)
    assert (row.status, row.suspended_reason) == ("suspended", steps.PROVISIONING_REASON)
    # The API's verify check fails (a broken route, say): the run stops, the commune stays held.
    real = verify.smoke_check

    def broken(tenant, **kw):  # type: ignore[no-untyped-def]
        checked = real(tenant, **kw)
        checked.problems.append("GET /api/v1/villages: 500")
        return checked

    monkeypatch.setattr(verify, "smoke_check", broken)
    outcome = service.execute(engine, run_id)
    assert outcome.status == "failed" and outcome.error is not None
    assert outcome.error.startswith("verify_failed") and "500" in outcome.error
    assert registry.get_commune(engine, code).status == "suspended"
    monkeypatch.undo()
    assert service.reopen(engine, [run_id]) == [run_id]
    assert service.execute(engine, run_id).status == "succeeded"
    assert registry.get_commune(engine, code).status == "active"
