"""Smart-commune criteria: every indicator computed from live data for a commune of 5,500 residents, then a
province roll-up over 100 communes (each commune computed in its own transaction, role and schema).

Each commune is seeded alike (seeded randomness): ~1,375 households (85 % with an address code), 5,500
residents (60 % with an account, ages spread evenly over 0–89 so about half are of working age 15–59,
3 % without a birth date), 1,200 applications (75 % filed online, the rest at the counter), 600 resolved
field reports (about 90 % within SLA, a third filed from the app), two paid invoices per household (about
55 % paid by bank transfer, half with a payer account), so the expected values are known.
Reports: compute p50/p95 for one commune, a monthly snapshot, the live province roll-up, and the kept
monthly roll-up (first run: each commune's snapshot taken on the way; second: from kept snapshots).
Usage: python bench/criteria.py [--residents 5500] [--communes 100] [--repeat 20]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import bench_database, finish, machine, summary

TARGETS = [
    {
        "code": "online_services",
        "name_vi": "Người dân dùng dịch vụ trực tuyến",
        "name_en": "Online services",
        "target_percent": 70,
    },
    {
        "code": "applications_online",
        "name_vi": "Hồ sơ nộp trực tuyến",
        "name_en": "Applications filed online",
        "target_percent": 80,
    },
    {
        "code": "cashless_invoices",
        "name_vi": "Hóa đơn thanh toán không tiền mặt",
        "name_en": "Cashless invoices",
        "target_percent": 50,
    },
    {
        "code": "digital_payment_households",
        "name_vi": "Hộ có thanh toán số",
        "name_en": "Households paying digitally",
        "target_percent": 50,
    },
    {"code": "address_coded", "name_vi": "Địa chỉ được mã hóa", "name_en": "Addresses coded", "target_percent": 100},
    {
        "code": "reports_within_sla",
        "name_vi": "Phản ánh xử lý đúng hạn",
        "name_en": "Reports within SLA",
        "target_percent": 90,
    },
    {
        "code": "registered_residents",
        "name_vi": "Người dân có tài khoản",
        "name_en": "Residents with an account",
        "target_percent": 60,
    },
    {
        "code": "certified_farms",
        "name_vi": "Cơ sở sản xuất có chứng nhận",
        "name_en": "Certified farms",
        "target_percent": 30,
    },
]


def seed(tenant, residents: int, rng: random.Random) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import insert

    from smartcommune.platform.fees.models import FeeType, Invoice
    from smartcommune.platform.insight.service import upsert_criteria_targets
    from smartcommune.platform.payments.models import Payment
    from smartcommune.platform.procedures.models import Application, Procedure
    from smartcommune.platform.production.models import Certification, Farm
    from smartcommune.platform.reports.models import Report, ReportCategory
    from smartcommune.platform.residents.models import Household, Resident
    from smartcommune.platform.villages.models import Village
    from smartcommune.tenants.session import tenant_transaction

    now = datetime.now(UTC)
    n_households = residents // 4
    with tenant_transaction(tenant) as db:
        upsert_criteria_targets(db, TARGETS)
        village = Village(code="T1", name="Thôn 1")
        procedure = Procedure(code="khai-sinh", name="Đăng ký khai sinh", field="Hộ tịch", processing_days=3)
        category = ReportCategory(code="duong", name="Đường", sla_hours=48, responsible_role="commune_official")
        fee = FeeType(code="nuoc", name="Tiền nước", category="water", default_amount_vnd=120_000, due_days=15)
        db.add_all([village, procedure, category, fee])
        db.flush()
        households = db.scalars(
            insert(Household).returning(Household.id),
            [
                {
                    "village_id": village.id,
                    "house_number": f"S{i}",
                    "plus_code": "7P9X+AB" if rng.random() < 0.85 else None,
                }
                for i in range(n_households)
            ],
        ).all()
        subjects = [f"sub-{i}" if rng.random() < 0.6 else None for i in range(residents)]
        today = date.today()

        def born() -> date | None:
            return today - timedelta(days=rng.randrange(0, 90 * 365)) if rng.random() < 0.97 else None

        db.execute(
            insert(Resident),
            [
                {
                    "full_name": f"Người {i}",
                    "household_id": households[i % n_households],
                    "village_id": village.id,
                    "account_subject": s,
                    "date_of_birth": today - timedelta(days=rng.randrange(0, 90 * 365))
                    if rng.random() < 0.97
                    else None,
                    "status": "verified",
                    "source": "official",
                }
                for i, s in enumerate(subjects)
            ],
        )
        users = [s for s in subjects if s]
        db.execute(
            insert(Application),
            [
                {
                    "procedure_id": procedure.id,
                    "applicant": rng.choice(users),
                    "applicant_name": "A",
                    "channel": "online" if rng.random() < 0.75 else "counter",
                    "due_date": date.today(),
                    "submitted_at": now - timedelta(days=rng.randrange(0, 120)),
                }
                for _ in range(1200)
            ],
        )
        db.execute(
            insert(Report),
            [
                {
                    "category_id": category.id,
                    "description": "Ổ gà",
                    "status": "resolved",
                    "reporter": rng.choice(users) if rng.random() < 0.33 else None,
                    "sla_due_at": now - timedelta(days=d),
                    "resolved_at": now - timedelta(days=d) + timedelta(hours=-2 if rng.random() < 0.9 else 5),
                }
                for d in (rng.randrange(1, 80) for _ in range(600))
            ],
        )
        invoices = db.scalars(
            insert(Invoice).returning(Invoice.id),
            [
                {
                    "reference": f"HD{tenant.commune_code}{k:010d}",
                    "household_id": h,
                    "fee_type_id": fee.id,
                    "period": f"2026-{10 + p}",
                    "amount_vnd": 120_000,
                    "paid_vnd": 120_000,
                    "status": "paid",
                    "due_date": date.today(),
                    "paid_at": now - timedelta(days=rng.randrange(0, 60)),
                    "payer_subject": rng.choice(users) if rng.random() < 0.5 else None,
                    "created_by": "bench",
                }
                for k, (h, p) in enumerate((h, p) for h in households for p in (0, 1))
            ],
        ).all()
        db.execute(
            insert(Payment),
            [
                {"source": "sepay", "event_id": f"e{i}", "amount_vnd": 120_000, "invoice_id": i, "match": "exact"}
                for i in invoices
                if rng.random() < 0.55
            ],
        )
        farms = db.scalars(
            insert(Farm).returning(Farm.id),
            [{"name": f"Vườn {i}", "producer_name": "Hộ", "kind": "crop", "commodity": "Ớt"} for i in range(40)],
        ).all()
        db.execute(
            insert(Certification),
            [
                {
                    "farm_id": f,
                    "scheme": "vietgap",
                    "certificate_no": f"VG{f}",
                    "valid_from": date(2026, 1, 1),
                    "valid_to": date(2099, 1, 1),
                }
                for f in farms[:14]
            ],
        )


SEEDED = (
    "criteria",
    "villages",
    "procedures",
    "report_categories",
    "fee_types",
    "households",
    "residents",
    "applications",
    "reports",
    "invoices",
    "payments",
    "farms",
    "certifications",
)


def copy_rows(source, target) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import text

    from smartcommune.tenants.database import owner_engine, quote_ident

    with owner_engine().begin() as conn:
        for table in SEEDED:
            conn.execute(
                text(
                    f"INSERT INTO {quote_ident(target.schema_name)}.{table} "
                    f"SELECT * FROM {quote_ident(source.schema_name)}.{table}"
                )
            )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--residents", type=int, default=5500)
    parser.add_argument("--communes", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()

    from collections import Counter

    from smartcommune.platform.insight import service
    from smartcommune.tenants.database import owner_engine
    from smartcommune.tenants.official_list import all_communes
    from smartcommune.tenants.registry import create_commune
    from smartcommune.tenants.session import tenant_transaction

    with bench_database():
        print("machine:", machine())
        rng = random.Random(2026)
        official = all_communes()
        province, _ = Counter(c.province_code for c in official).most_common(1)[0]
        codes = [c.code for c in official if c.province_code == province][: args.communes]
        t0 = time.perf_counter()
        tenants = []
        for n, code in enumerate(codes):
            tenant = create_commune(owner_engine(), code).tenant
            if n == 0:
                seed(tenant, args.residents, rng)
            else:  # the same rows, copied by the owner inside the database (seeding is not what is measured)
                copy_rows(tenants[0], tenant)
            tenants.append(tenant)
        seed_s = time.perf_counter() - t0
        print(f"seeded {len(tenants)} communes of province {province}, {args.residents} residents each, {seed_s:.1f} s")

        one = tenants[0]
        lat = []
        for _ in range(args.repeat):
            s = time.perf_counter()
            with tenant_transaction(one) as db:
                indicators = service.compute(db)
            lat.append((time.perf_counter() - s) * 1000)
        for i in indicators:
            print(
                f"  {i.code:28s} {i.value_percent!s:>7} % of {i.denominator:6d} "
                f"(target {i.target_percent} %, met={i.met})"
            )
        s = time.perf_counter()
        with tenant_transaction(one) as db:
            service.snapshot(db)
        snapshot_ms = (time.perf_counter() - s) * 1000
        s = time.perf_counter()
        rollup = service.province_rollup(tenants)
        rollup_s = time.perf_counter() - s
        pooled = {r["code"]: r["value_percent"] for r in rollup["indicators"]}
        s = time.perf_counter()
        kept = service.snapshot_rollup(province, tenants)  # all but the first commune snapshot on the way
        kept_first_s = time.perf_counter() - s
        s = time.perf_counter()
        kept = service.snapshot_rollup(province, tenants)
        kept_s = time.perf_counter() - s
        assert kept["communes_without_snapshot"] == 0
        assert {r["code"]: r["value_percent"] for r in kept["indicators"]} == pooled
        print(
            f"compute p50 {summary(lat)['p50']:.1f} ms; snapshot {snapshot_ms:.1f} ms; "
            f"live roll-up of {len(tenants)} communes {rollup_s:.2f} s; kept monthly roll-up "
            f"{kept_first_s:.2f} s (taking the communes' snapshots), {kept_s:.2f} s (from kept snapshots)"
        )
        assert all(i.value_percent is not None for i in indicators)
        finish(
            "criteria",
            {
                "bench": "criteria",
                "residents": args.residents,
                "indicators": len(indicators),
                "compute_ms": {k: round(v, 2) for k, v in summary(lat).items()},
                "snapshot_ms": round(snapshot_ms, 2),
                "province": province,
                "rollup_communes": len(tenants),
                "rollup_s": round(rollup_s, 3),
                "rollup_per_commune_ms": round(rollup_s * 1000 / max(1, len(tenants)), 2),
                "kept_rollup_first_s": round(kept_first_s, 3),
                "kept_rollup_s": round(kept_s, 3),
                "one_commune_values": {i.code: i.value_percent for i in indicators},
                "province_values": pooled,
                "seed_s": round(seed_s, 1),
                "machine": machine(),
            },
            write=not args.no_write,
        )


if __name__ == "__main__":
    main()
