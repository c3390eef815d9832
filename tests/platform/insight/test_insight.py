"""Criteria, dashboard and map layers on real PostgreSQL: targets are data (upserted concurrently by
templates), indicators are computed from live rows with their evidence, snapshots are kept per month, and
nothing crosses communes."""

from __future__ import annotations

import itertools
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from smartcommune.platform.insight import service
from smartcommune.platform.insight.models import Criterion, CriterionSnapshot
from smartcommune.platform.production.models import Farm
from smartcommune.platform.reports.models import Report, ReportCategory
from smartcommune.platform.residents.models import Household
from smartcommune.platform.villages.models import Village
from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.errors import InvalidInput
from smartcommune.tenants.session import tenant_transaction

_n = itertools.count(1)
TARGETS = [
    {"code": "address_coded", "name_vi": "Địa chỉ được mã hóa", "name_en": "Coded addresses", "target_percent": 100},
    {"code": "reports_within_sla", "name_vi": "Phản ánh đúng hạn", "name_en": "Reports on time", "target_percent": 90},
    {"code": "online_services", "name_vi": "Dùng dịch vụ công trực tuyến", "name_en": "Online", "target_percent": 70},
    {
        "code": "cashless_invoices",
        "name_vi": "Thanh toán không dùng tiền mặt",
        "name_en": "Cashless",
        "target_percent": 50,
    },
    {"code": "chua_co_nguon", "name_vi": "Chỉ tiêu chưa có dữ liệu", "name_en": "No source yet", "target_percent": 10},
]


def test_upsert_is_idempotent_updates_and_survives_concurrency(communes: tuple[TenantInfo, TenantInfo]) -> None:
    a, b = communes
    errors: list[BaseException] = []

    def run() -> None:
        try:
            with tenant_transaction(a) as db:
                service.upsert_criteria_targets(db, TARGETS)
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=run) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    with tenant_transaction(a) as db:
        service.upsert_criteria_targets(db, [TARGETS[0] | {"target_percent": 95.5, "name_en": "Addresses"}])
        rows = {c.code: c for c in db.scalars(select(Criterion))}
    assert set(rows) >= {t["code"] for t in TARGETS}
    assert rows["address_coded"].target_percent == 95.5 and rows["address_coded"].name_en == "Addresses"
    assert rows["reports_within_sla"].target_percent == 90
    with tenant_transaction(b) as db:
        assert not db.scalar(select(func.count()).select_from(Criterion).where(Criterion.code == "chua_co_nguon"))
    with pytest.raises(InvalidInput), tenant_transaction(a) as db:
        service.upsert_criteria_targets(db, [{"code": "x", "name_vi": "x", "name_en": "x", "target_percent": 150}])


def test_indicators_come_from_live_rows(communes: tuple[TenantInfo, TenantInfo]) -> None:
    _, b = communes  # commune b: its own data only
    now = datetime.now(UTC)
    with tenant_transaction(b) as db:
        service.upsert_criteria_targets(db, TARGETS)
        before = {i.code: i for i in service.compute(db)}
        village = Village(code=f"IN{next(_n)}", name="Thôn Chỉ Tiêu")
        db.add(village)
        db.flush()
        for k in range(4):
            db.add(
                Household(
                    village_id=village.id,
                    house_number=f"CT-{next(_n)}",
                    plus_code="7P" if k < 3 else None,
                    latitude=19.9 if k < 3 else None,
                    longitude=105.8 if k < 3 else None,
                )
            )
        cat = ReportCategory(code=f"ct{next(_n)}", name="Đường", sla_hours=48, responsible_role="commune_official")
        db.add(cat)
        db.flush()
        for late in (False, False, True):
            db.add(
                Report(
                    category_id=cat.id,
                    description="Ổ gà",
                    sla_due_at=now - timedelta(hours=1),
                    resolved_at=now if late else now - timedelta(hours=2),
                    status="resolved",
                    lat=19.9,
                    lng=105.8,
                )
            )
        db.add(
            Farm(name="Trại gà", producer_name="HTX", kind="livestock", commodity="Gà", latitude=19.9, longitude=105.81)
        )
        db.flush()
        after = {i.code: i for i in service.compute(db)}
        layer = service.map_layer(db, "farms")
        households = service.map_layer(db, "households")
        dashboard = service.dashboard(db)
    addr_b, addr_a = before["address_coded"], after["address_coded"]
    assert (addr_a.numerator - addr_b.numerator, addr_a.denominator - addr_b.denominator) == (3, 4)
    sla_b, sla_a = before["reports_within_sla"], after["reports_within_sla"]
    assert (sla_a.numerator - sla_b.numerator, sla_a.denominator - sla_b.denominator) == (2, 3)
    assert sla_a.evidence["late_report_ids"], sla_a.evidence
    assert sla_a.value_percent == round(100 * sla_a.numerator / sla_a.denominator, 2)
    assert sla_a.met == (sla_a.value_percent is not None and sla_a.value_percent >= 90)
    missing = after["chua_co_nguon"]
    assert missing.value_percent is None and missing.met is None and missing.evidence == {"reason": "no_data_source"}
    assert layer["type"] == "FeatureCollection" and layer["features"]
    feature = layer["features"][-1]
    assert feature["geometry"] == {"type": "Point", "coordinates": [105.81, 19.9]}  # GeoJSON: lon, lat
    assert feature["properties"]["layer"] == "farms"
    assert len(households["features"]) >= 3
    assert dashboard["production"]["farms"] >= 1 and dashboard["residents"]["households"] >= 4
    with pytest.raises(InvalidInput), tenant_transaction(b) as db:
        service.map_layer(db, "khong-co")


def test_monthly_snapshots_replace_their_month(communes: tuple[TenantInfo, TenantInfo]) -> None:
    a, _ = communes
    with tenant_transaction(a) as db:
        service.upsert_criteria_targets(db, TARGETS)
        service.snapshot(db, "2026-10")
        month, indicators = service.snapshot(db, "2026-10")
        assert month == "2026-10" and indicators
        count = db.scalar(
            select(func.count()).select_from(CriterionSnapshot).where(CriterionSnapshot.month == "2026-10")
        )
        assert count == len(indicators)
        assert {s.code for s in service.snapshots(db, "address_coded")} == {"address_coded"}


def test_province_rollup_pools_each_commune(communes: tuple[TenantInfo, TenantInfo]) -> None:
    a, b = communes
    with tenant_transaction(a) as db:
        service.upsert_criteria_targets(db, TARGETS)
        one_a = {i.code: i for i in service.compute(db)}
    with tenant_transaction(b) as db:
        service.upsert_criteria_targets(db, TARGETS)
        one_b = {i.code: i for i in service.compute(db)}
    rolled = service.province_rollup([a, b])
    assert rolled["communes"] == 2
    by_code = {r["code"]: r for r in rolled["indicators"]}
    addr = by_code["address_coded"]
    assert addr["numerator"] == one_a["address_coded"].numerator + one_b["address_coded"].numerator
    assert addr["denominator"] == one_a["address_coded"].denominator + one_b["address_coded"].denominator
    assert addr["communes"] == 2
    assert by_code["chua_co_nguon"]["communes_without_data"] == 2 and by_code["chua_co_nguon"]["value_percent"] is None


def test_services_layer_shows_active_listings_only(communes: tuple[TenantInfo, TenantInfo]) -> None:
    from smartcommune.platform.listings.models import Listing

    a, _ = communes
    with tenant_transaction(a) as db:
        common = {"kind": "tourism", "category": "homestay", "contact_name": "A", "contact_phone": "0912345678"}
        shown = Listing(title="Homestay", latitude=16.8, longitude=107.1, created_by="t", **common)
        hidden = Listing(title="Đã ẩn", latitude=16.8, longitude=107.1, active=False, created_by="t", **common)
        db.add_all([shown, hidden])
        db.flush()
        ids = {f["id"] for f in service.map_layer(db, "services")["features"]}
    assert f"services/{shown.id}" in ids and f"services/{hidden.id}" not in ids


def test_snapshot_task_keeps_the_month(communes: tuple[TenantInfo, TenantInfo]) -> None:
    from smartcommune.main import celery_app
    from smartcommune.platform.insight import tasks

    a, _ = communes
    with tenant_transaction(a) as db:
        service.upsert_criteria_targets(db, TARGETS)
    result = tasks.snapshot_commune(a.commune_code, "2026-08")
    assert result["month"] == "2026-08" and "address_coded" in result
    with tenant_transaction(a) as db:
        rows = db.scalars(select(CriterionSnapshot).where(CriterionSnapshot.month == "2026-08")).all()
        assert {r.code for r in rows} >= {t["code"] for t in TARGETS}
    assert "smartcommune.platform.insight.tasks" in celery_app.conf.include
    assert celery_app.conf.beat_schedule["criteria-snapshots-daily"]["task"].endswith("snapshot_all")


def test_template_codes_have_computations() -> None:
    """The base template names its criteria with hyphens (`address-coded`, `cashless-payments`)."""
    for code in ("online-services", "cashless-payments", "address-coded", "address_coded", "reports-within-sla"):
        assert service.computation_for(code) is not None, code
    assert service.computation_for("chua-co-nguon") is None
