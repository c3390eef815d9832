"""Working-age online use, application channels, app use, the devices layer and province roll-ups kept in
control, on real PostgreSQL with two communes (each computed in its own role and schema)."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import delete, func, select

from smartcommune.platform.devices.models import Device, DeviceProfile
from smartcommune.platform.insight import service
from smartcommune.platform.insight.models import CriteriaRollup, CriterionSnapshot
from smartcommune.platform.procedures.models import Application, Procedure
from smartcommune.platform.reports.models import Report, ReportCategory
from smartcommune.platform.residents.models import Resident
from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.database import app_engine
from smartcommune.tenants.errors import InvalidInput
from smartcommune.tenants.session import tenant_transaction

_n = itertools.count(1)
ONLINE = {"code": "online-services", "name_vi": "Dùng DVC trực tuyến", "name_en": "Online", "target_percent": 70}
CHANNEL = {"code": "applications_online", "name_vi": "Hồ sơ trực tuyến", "name_en": "Online", "target_percent": 80}


def _today() -> date:
    return datetime.now(service.VN).date()


def _resident(db: object, born: date | None, subject: str | None) -> Resident:
    row = Resident(full_name=f"Người {next(_n)}", date_of_birth=born, account_subject=subject, status="verified")
    db.add(row)  # type: ignore[attr-defined]
    return row


def _procedure(db: object) -> Procedure:
    row = Procedure(code=f"tt-{next(_n)}", name="Chứng thực", field="Chứng thực", processing_days=1)
    db.add(row)  # type: ignore[attr-defined]
    db.flush()  # type: ignore[attr-defined]
    return row


def _application(db: object, procedure: Procedure, applicant: str | None, channel: str) -> None:
    db.add(  # type: ignore[attr-defined]
        Application(
            procedure_id=procedure.id,
            applicant=applicant,
            applicant_name="A",
            channel=channel,
            due_date=_today(),
        )
    )


def test_years_before_handles_the_leap_day() -> None:
    assert service.years_before(date(2028, 2, 29), 15) == date(2013, 2, 28)
    assert service.years_before(date(2026, 11, 21), 60) == date(1966, 11, 21)


def test_working_age_residents_who_used_an_online_service(communes: tuple[TenantInfo, TenantInfo]) -> None:
    _, b = communes
    today = _today()
    ages = service.years_before
    with tenant_transaction(b) as db:
        service.upsert_criteria_targets(db, [ONLINE])
        before = {i.code: i for i in service.compute(db)}["online-services"]
        procedure = _procedure(db)
        category = ReportCategory(code=f"c{next(_n)}", name="Đường", sla_hours=48, responsible_role="commune_official")
        db.add(category)
        db.flush()
        tag = next(_n)
        # 15 today, applied online: counted. 30, applied only at the counter: working age, not a user.
        _resident(db, ages(today, 15), f"wa-15-{tag}")
        _application(db, procedure, f"wa-15-{tag}", "online")
        _resident(db, ages(today, 30), f"wa-30-{tag}")
        _application(db, procedure, f"wa-30-{tag}", "counter")
        # 59 (a day short of 60), filed a field report from the app: counted.
        _resident(db, ages(today, 60) + timedelta(days=1), f"wa-59-{tag}")
        db.add(
            Report(
                category_id=category.id,
                description="Ổ gà",
                reporter=f"wa-59-{tag}",
                sla_due_at=datetime.now(UTC) + timedelta(days=1),
            )
        )
        # 60 today and 14: outside working age even though they applied online. No account, no birth date.
        _resident(db, ages(today, 60), f"wa-60-{tag}")
        _application(db, procedure, f"wa-60-{tag}", "online")
        _resident(db, ages(today, 15) + timedelta(days=1), f"wa-14-{tag}")
        _application(db, procedure, f"wa-14-{tag}", "online")
        _resident(db, ages(today, 40), None)
        _resident(db, None, f"wa-none-{tag}")
        db.flush()
        after = {i.code: i for i in service.compute(db)}["online-services"]
        # A commune sets its own bounds: up to 62 (the men's retirement age from 2028).
        service.upsert_criteria_targets(db, [ONLINE | {"params": {"max_age": 62}}])
        wider = {i.code: i for i in service.compute(db)}["online-services"]
        service.upsert_criteria_targets(db, [ONLINE])  # a template re-applied: the parameters stay
        kept = {i.code: i for i in service.compute(db)}["online-services"]
    assert (after.numerator - before.numerator, after.denominator - before.denominator) == (2, 4)
    ev = after.evidence
    assert ev["params"] == {"min_age": 15, "max_age": 60, "window_days": 365} and ev["as_of"] == today.isoformat()
    assert ev["residents_without_birth_date"] - before.evidence["residents_without_birth_date"] == 1
    assert ev["working_age_with_account"] - before.evidence["working_age_with_account"] == 3
    used, used_before = ev["used_by_source"], before.evidence["used_by_source"]
    assert used["applications_online"] - used_before["applications_online"] == 1
    assert used["reports"] - used_before["reports"] == 1
    assert after.value_percent == round(100 * after.numerator / after.denominator, 2)
    assert (wider.numerator - after.numerator, wider.denominator - after.denominator) == (1, 1)
    assert wider.evidence["params"]["max_age"] == 62 and kept.evidence["params"]["max_age"] == 62


@pytest.mark.parametrize(
    ("params", "param"),
    [({"max_age": 200}, "max_age"), ({"min_age": "15"}, "min_age"), ({"tuoi": 1}, None), ({"min_age": 60}, None)],
)
def test_bad_parameters_are_refused_and_nothing_changes(
    communes: tuple[TenantInfo, TenantInfo], params: dict[str, object], param: str | None
) -> None:
    a, _ = communes
    with pytest.raises(InvalidInput) as e, tenant_transaction(a) as db:
        service.upsert_criteria_targets(db, [ONLINE | {"params": params}])
    assert e.value.code == "criterion_params_invalid"
    assert e.value.details.get("param") == param
    with pytest.raises(InvalidInput), tenant_transaction(a) as db:
        service.upsert_criteria_targets(db, [CHANNEL | {"params": {"min_age": 15}}])  # not one of its parameters


def test_applications_online_uses_the_channel(communes: tuple[TenantInfo, TenantInfo]) -> None:
    a, b = communes
    with tenant_transaction(b) as db:
        service.upsert_criteria_targets(db, [CHANNEL])
        in_b = {i.code: i for i in service.compute(db)}["applications_online"]
    with tenant_transaction(a) as db:
        service.upsert_criteria_targets(db, [CHANNEL])
        before = {i.code: i for i in service.compute(db)}["applications_online"]
        procedure = _procedure(db)
        for channel in ("online", "online", "online", "counter"):
            _application(db, procedure, f"ch-{next(_n)}", channel)
        db.flush()
        after = {i.code: i for i in service.compute(db)}["applications_online"]
    with tenant_transaction(b) as db:
        still_b = {i.code: i for i in service.compute(db)}["applications_online"]
    assert (after.numerator - before.numerator, after.denominator - before.denominator) == (3, 4)
    by, by_before = after.evidence["by_channel"], before.evidence["by_channel"]
    assert by.get("counter", 0) - by_before.get("counter", 0) == 1
    assert (still_b.numerator, still_b.denominator) == (in_b.numerator, in_b.denominator)  # a's rows stay in a
    assert service.computation_for("online-applications") is service.computation_for("applications_online")


def test_dashboard_app_use_counts_active_residents(communes: tuple[TenantInfo, TenantInfo]) -> None:
    a, _ = communes
    with tenant_transaction(a) as db:
        board = service.dashboard(db)
        before, channels = board["app_use"], board["applications"]["by_channel_90d"]
        procedure = _procedure(db)
        tag = next(_n)
        _resident(db, None, f"au-online-{tag}")
        _application(db, procedure, f"au-online-{tag}", "online")
        _resident(db, None, f"au-counter-{tag}")
        _application(db, procedure, f"au-counter-{tag}", "counter")
        db.flush()
        board = service.dashboard(db)
        after, channels_after = board["app_use"], board["applications"]["by_channel_90d"]
    assert channels_after["counter"] - channels.get("counter", 0) == 1
    assert channels_after["online"] - channels.get("online", 0) == 1
    assert after["window_days"] == 30
    assert after["active_residents"] - before["active_residents"] == 1
    assert after["active_share_of_accounts_percent"] is not None


def test_every_map_layer_exists_and_devices_have_positions(communes: tuple[TenantInfo, TenantInfo]) -> None:
    a, b = communes
    assert set(service.LAYERS) == {"households", "reports", "cameras", "devices", "farms", "services"}
    with tenant_transaction(a) as db:
        profile = DeviceProfile(code=f"p{next(_n)}", name="Cảm biến đất")
        db.add(profile)
        db.flush()
        tag = next(_n)
        placed = Device(
            uid=f"map-{tag}", serial="S", name="Cảm biến ruộng", profile_id=profile.id,
            mqtt_username=f"m-{tag}", latitude=16.79, longitude=107.05,
        )  # fmt: skip
        unplaced = Device(uid=f"nomap-{tag}", serial="S", name="Kho", profile_id=profile.id, mqtt_username=f"n-{tag}")
        db.add_all([placed, unplaced])
        db.flush()
        layers = {name: service.map_layer(db, name) for name in service.LAYERS}
    features = {f["id"]: f for f in layers["devices"]["features"]}
    assert features[f"devices/{placed.id}"]["geometry"] == {"type": "Point", "coordinates": [107.05, 16.79]}
    assert features[f"devices/{placed.id}"]["properties"]["uid"] == f"map-{tag}"
    assert f"devices/{unplaced.id}" not in features
    assert all(layer["type"] == "FeatureCollection" for layer in layers.values())
    with tenant_transaction(b) as db:
        assert f"devices/{placed.id}" not in {f["id"] for f in service.map_layer(db, "devices")["features"]}


def _rollup_rows(province: int, month: str) -> dict[str, CriteriaRollup]:
    return {r.code: r for r in service.rollup_history(province, month=month)}


def test_province_rollups_are_kept_monthly_in_control(communes: tuple[TenantInfo, TenantInfo]) -> None:
    a, b = communes
    province = 990 + next(_n) % 9  # a code no real province uses: this test's rows only
    for t in (a, b):
        with tenant_transaction(t) as db:
            service.upsert_criteria_targets(db, [ONLINE, CHANNEL])
    # A past month nobody snapshotted: kept as "without data", never filled with today's values.
    empty = service.snapshot_rollup(province, [a, b], "2025-01")
    assert empty["communes_without_snapshot"] == 2 and empty["indicators"] == []
    # Commune a snapshotted 2025-02; b did not.
    with tenant_transaction(a) as db:
        _, kept_a = service.snapshot(db, "2025-02")
    rolled = service.snapshot_rollup(province, [a, b], "2025-02")
    assert rolled["communes"] == 2 and rolled["communes_without_snapshot"] == 1
    rows = _rollup_rows(province, "2025-02")
    by_code = {i.code: i for i in kept_a}
    assert rows["applications_online"].numerator == by_code["applications_online"].numerator
    assert rows["applications_online"].communes == 1 and rows["applications_online"].communes_without_data >= 1
    # The current month: a commune's kept snapshot is used; one without a snapshot (b, its rows removed
    # here) gets one now; recomputing replaces the roll-up's rows.
    month = service.current_month()
    with tenant_transaction(a) as db:
        _, now_a = service.snapshot(db, month)
    with tenant_transaction(b) as db:
        db.execute(delete(CriterionSnapshot).where(CriterionSnapshot.month == month))
    first = service.snapshot_rollup(province, [a, b], month)
    assert first["communes_without_snapshot"] == 0
    with tenant_transaction(b) as db:
        now_b = {s.code: s for s in service.snapshots(db) if s.month == month}
    pooled = {r["code"]: r for r in first["indicators"]}
    for i in now_a:
        assert pooled[i.code]["numerator"] == i.numerator + (now_b[i.code].numerator if i.code in now_b else 0)
    again = service.snapshot_rollup(province, [a, b], month)
    assert again["indicators"] == first["indicators"]
    with app_engine().connect() as conn:
        count = conn.scalar(
            select(func.count())
            .select_from(CriteriaRollup)
            .where(CriteriaRollup.province_code == province, CriteriaRollup.month == month)
        )
    assert count == len(first["indicators"]) >= 2
    history = service.rollup_history(province)
    assert [r.month for r in history] == sorted((r.month for r in history), reverse=True)
    assert {r.month for r in history} >= {"2025-02", month}
    assert {r.province_code for r in service.rollup_history(None, month="2025-02")} >= {province}


def test_rollup_task_and_schedule(communes: tuple[TenantInfo, TenantInfo]) -> None:
    from smartcommune.main import celery_app
    from smartcommune.platform.insight import tasks

    a, _ = communes
    result = tasks.rollup_province(a.province_code, "2025-03")
    assert result["province_code"] == a.province_code and result["communes"] >= 1
    schedule = celery_app.conf.beat_schedule
    assert schedule["criteria-rollups-daily"]["task"].endswith("rollup_all")
    assert schedule["criteria-snapshots-daily"]["task"].endswith("snapshot_all")


def test_a_device_registered_with_a_position_is_on_the_map(communes: tuple[TenantInfo, TenantInfo]) -> None:
    from pydantic import ValidationError

    from smartcommune.platform.devices import service as devices
    from smartcommune.platform.devices.schemas import DeviceIn

    a, _ = communes
    with tenant_transaction(a) as db:
        profile = DeviceProfile(code=f"p{next(_n)}", name="Van tưới")
        db.add(profile)
        db.flush()
        uid = f"pos-{next(_n)}"
        data = DeviceIn(uid=uid, serial="S", name="Van", profile_id=profile.id, latitude=16.8, longitude=107.1)
        [(device, _secret)] = devices.create_devices(db, a, [data], actor="t", actor_kind="provider")
        out = devices.to_out(device)
        ids = {f["id"] for f in service.map_layer(db, "devices")["features"]}
    assert (out.latitude, out.longitude) == (16.8, 107.1) and f"devices/{device.id}" in ids
    with pytest.raises(ValidationError):
        DeviceIn(uid="x", serial="S", name="V", profile_id=1, latitude=91, longitude=0)


def test_app_use_counts_a_resident_whose_register_record_is_not_linked(communes: tuple[TenantInfo, TenantInfo]) -> None:
    """Bug: after a resident signed in by phone and filed a report the dashboard said 0 residents use the app:
    only verified register records linked to the account counted. Any resident account with activity counts;
    the commune's own staff do not."""
    a, _ = communes
    resident, official = f"au-unlinked-{next(_n)}", f"au-staff-{next(_n)}"
    with tenant_transaction(a) as db:
        before = service.dashboard(db, staff=[official])["app_use"]["active_residents"]
        category = ReportCategory(code=f"c-{next(_n)}", name="Đường", sla_hours=48, responsible_role="commune_official")
        db.add(category)
        db.flush()
        for who in (resident, official):
            db.add(
                Report(
                    category_id=category.id,
                    description="Ổ gà",
                    reporter=who,
                    sla_due_at=datetime.now(UTC) + timedelta(days=2),
                )
            )
        db.flush()
        after = service.dashboard(db, staff=[official])["app_use"]["active_residents"]
    assert after - before == 1


def test_a_snapshot_with_no_criteria_is_refused_not_reported_done(communes: tuple[TenantInfo, TenantInfo]) -> None:
    """Bug: "taking the month's snapshot" said done while the history said none existed: with no criteria
    configured nothing was kept. It is refused with a reason instead."""
    from smartcommune.platform.insight.models import Criterion
    from smartcommune.tenants.errors import Conflict

    a, _ = communes
    with pytest.raises(Conflict) as caught, tenant_transaction(a) as db:
        db.execute(delete(Criterion))
        service.take_snapshot(db, "2026-07", actor="canbo", actor_kind="commune")
    assert caught.value.code == "no_criteria"
