"""Onboard every official commune with the `base` template through provisioning runs, then re-run.

Each commune is a full run (validate → register → schema → template → identity (embedded admin) →
billing (skipped: no Stripe) → cameras/devices (none) → verify → activate), executed by `--concurrency`
local worker processes (the same engine the Celery task uses). A second rollout over the same scope
finds every commune done and starts nothing.
Prints the mean and p95 time of each step (register is the commune's DDL; verify the HTTP smoke checks).
Usage: python bench/rollout.py --all [--limit N] [--concurrency 2]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import bench_database, finish, machine, summary

# bench/requests.py would shadow the `requests` package that python-keycloak imports.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--all", action="store_true", help="all 3,321 official communes (default: --limit)")
    parser.add_argument("--limit", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()

    from sqlalchemy import text

    from smartcommune.provisioning.rollouts import service as rollouts
    from smartcommune.provisioning.rollouts.local import execute_local
    from smartcommune.provisioning.runs.schemas import AdminContact
    from smartcommune.tenants.database import owner_engine

    with bench_database():
        host = machine()
        print("machine:", host)
        engine = owner_engine()
        specs = rollouts.official_specs(template="base")
        if not args.all:
            specs = specs[: args.limit]
        specs = [s.model_copy(update={"admin": AdminContact(name=f"Quản trị {s.commune_code}")}) for s in specs]
        started = time.perf_counter()
        first = rollouts.start(engine, specs, scope="bench", template="base", requested_by="bench")
        times: list[float] = []
        failed: list[str] = []
        finished_at: list[float] = []  # seconds since start, per finished commune, in order

        def done(outcome) -> None:  # type: ignore[no-untyped-def]
            if outcome.status == "succeeded":
                times.append(outcome.seconds)
            else:
                failed.append(f"{outcome.commune_code}: {outcome.error}")
            n = len(times) + len(failed)
            finished_at.append(time.perf_counter() - started)
            if n % 250 == 0:
                print(f"  {n}/{len(first.run_ids)} in {time.perf_counter() - started:.0f} s", flush=True)

        execute_local(first.run_ids, concurrency=args.concurrency, on_done=done)
        total_s = time.perf_counter() - started
        per = summary(times)
        print(
            f"onboarded {len(times)} communes ({len(failed)} failed) in {total_s:.1f} s; "
            f"per commune p50 {per['p50'] * 1000:.0f} ms, p95 {per['p95'] * 1000:.0f} ms, "
            f"max {per['max'] * 1000:.0f} ms"
        )
        for line in failed[:10]:
            print("  failed", line)
        with engine.connect() as conn:
            per_step = conn.execute(
                text(
                    "SELECT s.name, avg(s.duration_ms), percentile_cont(0.95) WITHIN GROUP (ORDER BY s.duration_ms) "
                    "FROM control.provisioning_steps s JOIN control.provisioning_runs r ON r.id = s.run_id "
                    "WHERE r.rollout_id = :r GROUP BY s.name, s.position ORDER BY s.position"
                ),
                {"r": first.rollout_id},
            ).all()
        print("per step (mean / p95 ms): " + ", ".join(f"{n} {m:.0f}/{p:.0f}" for n, m, p in per_step))

        again_started = time.perf_counter()
        second = rollouts.start(engine, specs, scope="bench re-run", template="base", requested_by="bench")
        execute_local(second.run_ids, concurrency=args.concurrency)
        rerun_s = time.perf_counter() - again_started
        print(f"re-run: {len(second.skipped)} skipped, {len(second.run_ids)} started, {rerun_s:.1f} s")

        with engine.connect() as conn:
            db_bytes = conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one()
            catalog_bytes = conn.execute(
                text(
                    "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'pg_catalog'"
                )
            ).scalar_one()
            relations = conn.execute(text("SELECT count(*) FROM pg_class")).scalar_one()
        print(f"database {db_bytes / 2**20:.0f} MiB, catalog {catalog_bytes / 2**20:.0f} MiB, {relations} relations")
        window = min(500, len(finished_at) // 2)
        first_rate = window / finished_at[window - 1] if window else 0.0
        last_rate = window / (finished_at[-1] - finished_at[-window - 1]) if window else 0.0
        print(f"communes/s: first {window} {first_rate:.2f}, last {window} {last_rate:.2f}")

        finish(
            "rollout",
            {
                "communes": len(specs),
                "succeeded": len(times),
                "failed": len(failed),
                "concurrency": args.concurrency,
                "total_s": round(total_s, 1),
                "per_commune_p50_s": round(per["p50"], 3),
                "per_commune_p95_s": round(per["p95"], 3),
                "per_commune_max_s": round(per["max"], 3),
                "rerun_s": round(rerun_s, 2),
                "rerun_skipped": len(second.skipped),
                "database_mib": round(db_bytes / 2**20, 1),
                "catalog_mib": round(float(catalog_bytes) / 2**20, 1),
                "relations": relations,
                "per_step_mean_ms": {n: round(float(m), 1) for n, m, _ in per_step},
                "first_500_per_s": round(first_rate, 2),
                "last_500_per_s": round(last_rate, 2),
                "server_shared_buffers": host["shared_buffers"],
                "server_max_wal_size": host["max_wal_size"],
            },
            write=not args.no_write and args.all,
        )


if __name__ == "__main__":
    main()
