"""A day of bank transfers against a commune's invoices: 10,000 invoices bulk-issued, then 10,000 SePay-style
transfers reconciled one event at a time (each in its own transaction, as the webhook does), of which a
deliberate few are wrong (no reference, another commune's reference, short or over amounts).

Reports: bulk issue time, reconciliation throughput and per-event latency, a full replay of the day (every
event a duplicate), and the outcome counts, which must be exact for every transfer but the wrong ones.
Usage: python bench/reconcile.py [--invoices 10000] [--wrong 50]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import bench_database, finish, machine, summary


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--invoices", type=int, default=10_000)
    parser.add_argument("--wrong", type=int, default=50, help="deliberately wrong transfers of each kind")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()

    from sqlalchemy import func, select

    from smartcommune.platform.fees import service as fees
    from smartcommune.platform.fees.models import FeeType, Invoice
    from smartcommune.platform.fees.schemas import BankAccountIn, BulkIssueIn, BulkLine
    from smartcommune.platform.payments import adapters
    from smartcommune.platform.payments import service as payments
    from smartcommune.tenants.database import owner_engine
    from smartcommune.tenants.registry import create_commune
    from smartcommune.tenants.session import tenant_transaction

    with bench_database():
        print("machine:", machine())
        tenant = create_commune(owner_engine(), 19597).tenant
        who = {"actor": "bench", "actor_kind": "commune"}
        with tenant_transaction(tenant) as db:
            ft = FeeType(code="nuoc", name="Tiền nước", category="water", default_amount_vnd=120_000, due_days=15)
            db.add(ft)
            db.flush()
            fees.set_bank_account(
                db, BankAccountIn(bank_bin="970436", account_number="0123499999", account_name="UBND"), **who
            )
            fee_type_id = ft.id
        rng = random.Random(2026)
        lines = [
            BulkLine(household_id=h, amount_vnd=rng.randrange(20, 500) * 1000) for h in range(1, args.invoices + 1)
        ]
        t0 = time.perf_counter()
        with tenant_transaction(tenant) as db:
            issued = fees.bulk_issue(
                db, tenant, BulkIssueIn(fee_type_id=fee_type_id, period="2026-11", lines=lines), **who
            )
        bulk_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        with tenant_transaction(tenant) as db:
            again = fees.bulk_issue(
                db, tenant, BulkIssueIn(fee_type_id=fee_type_id, period="2026-11", lines=lines), **who
            )
        rebulk_s = time.perf_counter() - t0
        assert (issued.created, again.created) == (args.invoices, 0)
        with tenant_transaction(tenant) as db:
            invoices = db.execute(select(Invoice.reference, Invoice.amount_vnd).order_by(Invoice.id)).all()

        # The day's transfers: one per invoice, memos as banks write them; the first 4×wrong are spoiled.
        events = []
        for i, (ref, amount) in enumerate(invoices):
            memo, paid, kind = f"NGUYEN VAN {i} chuyen tien nuoc {ref[:7]} {ref[7:]} FT26{i:08d}", amount, "exact"
            w = args.wrong
            if i < w:
                memo, kind = f"tien nuoc thang 11 ho {i}", "unmatched"
            elif i < 2 * w:
                memo, kind = f"ck {fees.reference_for(16012, i + 1)}", "unmatched"
            elif i < 3 * w:
                paid, kind = amount - 10_000, "partial"
            elif i < 4 * w:
                paid, kind = amount + 10_000, "over"
            body = {
                "id": 10_000_000 + i,
                "gateway": "Vietcombank",
                "transactionDate": "2026-11-21 09:00:00",
                "accountNumber": "0123499999",
                "code": None,
                "content": memo,
                "transferType": "in",
                "transferAmount": paid,
                "accumulated": 0,
                "subAccount": None,
                "referenceCode": f"FT26{i:08d}",
                "description": "",
            }
            events.append((body, kind))
        rng.shuffle(events)

        def run_day() -> tuple[list[float], dict[str, int]]:
            lat, outcomes = [], {}
            for body, _kind in events:
                s = time.perf_counter()
                with tenant_transaction(tenant) as db:
                    ack = payments.receive_transfer(
                        db, tenant, adapters.sepay_parse(body), body, notify_officials=False
                    )
                lat.append((time.perf_counter() - s) * 1000)
                outcomes[ack.outcome] = outcomes.get(ack.outcome, 0) + 1
            return lat, outcomes

        t0 = time.perf_counter()
        lat, outcomes = run_day()
        day_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        replay_lat, replay = run_day()
        replay_s = time.perf_counter() - t0

        expected: dict[str, int] = {}
        for _body, kind in events:
            expected[kind] = expected.get(kind, 0) + 1
        assert outcomes == expected, (outcomes, expected)
        assert replay == {"duplicate": len(events)}, replay
        with tenant_transaction(tenant) as db:
            paid = db.scalar(select(func.count()).select_from(Invoice).where(Invoice.status == "paid")) or 0
        unexpected_unmatched = outcomes.get("unmatched", 0) - expected.get("unmatched", 0)
        lat_s, replay_s_sum = summary(lat), summary(replay_lat)
        print(f"bulk issue {args.invoices} invoices: {bulk_s:.2f} s (rerun, all existing: {rebulk_s:.2f} s)")
        rate = len(events) / day_s
        print(f"reconcile {len(events)} transfers: {day_s:.1f} s, {rate:.0f}/s, ", end="")
        print(f"p50 {lat_s['p50']:.2f} ms, p95 {lat_s['p95']:.2f} ms")
        print(f"replay of the day: {replay_s:.1f} s, all {len(events)} duplicates, nothing changed")
        print(f"outcomes {outcomes}; invoices paid {paid}; unexpected unmatched {unexpected_unmatched}")
        figures = {
            "invoices": args.invoices,
            "transfers": len(events),
            "bulk_issue_s": round(bulk_s, 3),
            "bulk_reissue_s": round(rebulk_s, 3),
            "reconcile_day_s": round(day_s, 2),
            "reconcile_per_s": round(len(events) / day_s, 1),
            "reconcile_p50_ms": round(lat_s["p50"], 3),
            "reconcile_p95_ms": round(lat_s["p95"], 3),
            "replay_day_s": round(replay_s, 2),
            "replay_p95_ms": round(replay_s_sum["p95"], 3),
            "outcomes_count": outcomes,
            "deliberately_wrong_count": 4 * args.wrong,
            "unexpected_unmatched_count": unexpected_unmatched,
            "invoices_paid_count": paid,
        }
        finish("reconcile", figures, write=not args.no_write)


if __name__ == "__main__":
    main()
