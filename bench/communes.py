"""Commune creation time as the fleet grows to 100, 1,000 and all 3,321 official communes.

Each creation is the real path: validate against the official list, role, schema, the compiled DDL
script of the head, grants, version stamp and catalog row, in one transaction.
Usage: python bench/communes.py [--sizes 100,1000,3321]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import bench_database, finish, machine, summary


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="100,1000,3321")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    from smartcommune.tenants.database import owner_engine
    from smartcommune.tenants.official_list import all_communes
    from smartcommune.tenants.registry import create_commune

    codes = [c.code for c in all_communes()][: max(sizes)]
    figures: dict[str, object] = {}
    with bench_database():
        print("machine:", machine())
        engine = owner_engine()
        all_times: list[float] = []
        started = time.perf_counter()
        for size in sizes:
            stage: list[float] = []
            while len(all_times) < size:
                t0 = time.perf_counter()
                create_commune(engine, codes[len(all_times)])
                elapsed = time.perf_counter() - t0
                stage.append(elapsed)
                all_times.append(elapsed)
            last = summary(all_times[-100:])  # the cost of creating a commune once the fleet is this big
            print(
                f"fleet {size:>5}: last 100 creations p50 {last['p50'] * 1000:.1f} ms, "
                f"p95 {last['p95'] * 1000:.1f} ms, "
                f"max {last['max'] * 1000:.1f} ms; stage of {len(stage)} max {max(stage) * 1000:.1f} ms; "
                f"elapsed {time.perf_counter() - started:.1f} s"
            )
            figures[f"at_{size}_p50_s"] = round(last["p50"], 4)
            figures[f"at_{size}_p95_s"] = round(last["p95"], 4)
            figures[f"at_{size}_max_s"] = round(last["max"], 4)
        overall = summary(all_times)
        figures["all_p50_s"] = round(overall["p50"], 4)
        figures["all_p95_s"] = round(overall["p95"], 4)
        figures["all_max_s"] = round(overall["max"], 4)
        figures["total_s"] = round(time.perf_counter() - started, 1)
        figures["communes"] = len(all_times)
        first, last_size = sizes[0], sizes[-1]
        figures["p95_growth_ratio"] = round(figures[f"at_{last_size}_p95_s"] / figures[f"at_{first}_p95_s"], 2)  # type: ignore[operator]
    finish("communes", figures, write=not args.no_write)


if __name__ == "__main__":
    main()
