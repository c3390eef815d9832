"""Announcement fan-out: one announcement to every resident of a commune, then to 100,000 residents
across 20 communes.

Measured from the start of the publishing transaction until it has committed (and the after-commit
drain task has been handed to the broker): at that point every targeted resident's in-app inbox holds
the announcement and every web push is queued in the delivery outbox. Both are then counted and checked.
Residents are registered (account), have a phone, and 80 % have a push subscription.
Usage: python bench/fanout.py [--residents 5500 --repeats 5 --communes 20 --per-commune 5000 --workers 4]
"""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import bench_database, finish, machine, summary


def seed(tenant: object, residents: int, villages: int = 10) -> None:
    from sqlalchemy import text

    from smartcommune.tenants.session import tenant_transaction

    with tenant_transaction(tenant) as db:  # type: ignore[arg-type]
        db.execute(
            text(
                "INSERT INTO villages (code, name, kind) "
                "SELECT 'T' || g, 'Thôn ' || g, 'thon' FROM generate_series(1, :n) g"
            ),
            {"n": villages},
        )
        db.execute(
            text(
                "INSERT INTO residents (full_name, phone, village_id, groups, account_subject, status, source) "
                "SELECT 'Cư dân ' || g, '+8491' || lpad(g::text, 7, '0'), "
                "(SELECT id FROM villages ORDER BY id OFFSET (g % :v) LIMIT 1), "
                "CASE WHEN g % 3 = 0 THEN ARRAY['nong_dan']::varchar[] ELSE '{}'::varchar[] END, "
                "gen_random_uuid()::text, 'verified', 'import' FROM generate_series(1, :n) g"
            ),
            {"n": residents, "v": villages},
        )
        db.execute(
            text(
                "INSERT INTO push_subscriptions (subject, endpoint, p256dh, auth) "
                "SELECT account_subject, 'https://push.example.vn/' || id, 'BN' || id, 'au' || id "
                "FROM residents WHERE id % 5 <> 0"
            )
        )


def publish(tenant: object, title: str) -> tuple[float, int]:
    from smartcommune.platform.announcements import service
    from smartcommune.platform.announcements.schemas import AnnouncementIn
    from smartcommune.tenants.session import tenant_transaction

    data = AnnouncementIn(title=title, body="Bà con chủ động phòng chống bão.", priority="urgent", channels=["push"])
    t0 = time.perf_counter()
    with tenant_transaction(tenant) as db:  # type: ignore[arg-type]
        announcement_id = service.create(db, tenant, data, actor="bench", actor_kind="commune").id  # type: ignore[arg-type]
    return time.perf_counter() - t0, announcement_id


def check(tenant: object, announcement_id: int) -> tuple[int, int, int]:
    from sqlalchemy import func, select

    from smartcommune.platform.announcements.models import Delivery
    from smartcommune.platform.inbox.models import InboxItem
    from smartcommune.platform.notifications.models import PushSubscription
    from smartcommune.platform.residents.models import Resident
    from smartcommune.tenants.session import tenant_transaction

    with tenant_transaction(tenant) as db:  # type: ignore[arg-type]
        inbox = db.scalar(
            select(func.count()).where(
                InboxItem.source_type == "announcement", InboxItem.source_id == str(announcement_id)
            )
        )
        push = db.scalar(
            select(func.count()).where(
                Delivery.announcement_id == announcement_id, Delivery.channel == "push", Delivery.status == "queued"
            )
        )
        residents = db.scalar(select(func.count()).select_from(Resident))
        subscribed = db.scalar(select(func.count(func.distinct(PushSubscription.subject))))
    assert inbox == residents, (inbox, residents)
    assert push == subscribed, (push, subscribed)
    return int(inbox or 0), int(push or 0), int(residents or 0)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--residents", type=int, default=5500)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--communes", type=int, default=20)
    parser.add_argument("--per-commune", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()

    from smartcommune.platform.worker.celery_app import make_celery
    from smartcommune.tenants.database import owner_engine
    from smartcommune.tenants.official_list import all_communes
    from smartcommune.tenants.registry import create_commune
    from smartcommune.tenants.settings import get_settings

    figures: dict[str, object] = {}
    codes = [c.code for c in all_communes()][: args.communes + 1]
    with bench_database():
        print("machine:", machine())
        get_settings.cache_clear()
        make_celery(get_settings())  # the outbox hands drain tasks to the real (SQL transport) broker
        engine = owner_engine()
        single = create_commune(engine, codes[0]).tenant
        seed(single, args.residents)
        times = []
        for i in range(args.repeats):
            elapsed, aid = publish(single, f"Bão số {i + 1}")
            inbox, push, residents = check(single, aid)
            times.append(elapsed)
            print(f"one commune: {residents} residents → {inbox} inbox items, {push} pushes queued in {elapsed:.3f} s")
        s = summary(times)
        figures["one_commune_residents"] = args.residents
        figures["one_commune_p50_s"] = round(s["p50"], 3)
        figures["one_commune_max_s"] = round(s["max"], 3)
        figures["one_commune_pushes_queued"] = push

        fleet = [create_commune(engine, code).tenant for code in codes[1 : args.communes + 1]]
        t_seed = time.perf_counter()
        for tenant in fleet:
            seed(tenant, args.per_commune)
        print(f"seeded {len(fleet)} communes × {args.per_commune} residents in {time.perf_counter() - t_seed:.1f} s")
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.workers) as pool:
            results = list(pool.map(lambda t: publish(t, "Thông báo toàn tỉnh"), fleet))
        wall = time.perf_counter() - started
        totals = [check(t, aid) for t, (_, aid) in zip(fleet, results, strict=True)]
        reached = sum(t[0] for t in totals)
        pushes = sum(t[1] for t in totals)
        print(
            f"{len(fleet)} communes: {reached} inbox items, {pushes} pushes queued in {wall:.2f} s "
            f"({args.workers} workers)"
        )
        figures["fleet_communes"] = len(fleet)
        figures["fleet_residents"] = reached
        figures["fleet_pushes_queued"] = pushes
        figures["fleet_wall_s"] = round(wall, 2)
        figures["fleet_workers"] = args.workers
        figures["fleet_per_commune_max_s"] = round(max(r[0] for r in results), 3)
        figures["target_one_commune_s"] = 2
        figures["target_fleet_s"] = 30
    finish("fanout", figures, write=not args.no_write)


if __name__ == "__main__":
    main()
