"""Shared by the benchmarks: a throwaway database, the machine description, percentiles, the JSON line."""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from testsupport.databases import create_database, drop_database

RESULTS = Path(__file__).resolve().parent / "results"


@contextmanager
def bench_database() -> Iterator[str]:
    """A fresh database on DATABASE_URL's server (or the embedded one), the env pointed at it."""
    from smartcommune.tenants.bootstrap import bootstrap
    from smartcommune.tenants.database import owner_engine, reset_engines
    from smartcommune.tenants.migrations.runtime import reset_caches

    url = create_database()
    previous = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = url
    os.environ["ENVIRONMENT"] = "test"
    reset_engines()
    reset_caches()
    bootstrap(owner_engine())
    try:
        yield url
    finally:
        reset_engines()
        drop_database(url)
        if previous is None:
            os.environ.pop("DATABASE_URL", None)
        else:
            os.environ["DATABASE_URL"] = previous


def machine() -> dict[str, object]:
    with psycopg.connect(os.environ["DATABASE_URL"]) as conn:
        row = conn.execute("SHOW server_version").fetchone()
    return {
        "python": platform.python_version(),
        "os": f"{platform.system()} {platform.release()}",
        "cpu": platform.processor() or platform.machine(),
        "cores": os.cpu_count(),
        "postgres": row[0] if row else "?",
        "db_host": make_url(os.environ["DATABASE_URL"]).host or "socket",
    }


def pct(values: Sequence[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))]


def summary(values: Sequence[float]) -> dict[str, float]:
    return {
        "p50": pct(values, 50),
        "p95": pct(values, 95),
        "p99": pct(values, 99),
        "max": max(values, default=0.0),
        "mean": statistics.fmean(values) if values else 0.0,
    }


def finish(name: str, figures: dict[str, object], write: bool = True) -> None:
    """Print the JSON line last; keep it as bench/results/<name>.json."""
    line = json.dumps(figures, ensure_ascii=False, sort_keys=True)
    if write:
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / f"{name}.json").write_text(line + "\n")
    print(line)


def run_id() -> str:
    return uuid.uuid4().hex[:8]
