"""Shared by the benchmarks: a throwaway database, the machine description, percentiles, the JSON line."""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import uuid
from collections.abc import Sequence
from contextlib import AbstractContextManager
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from testsupport.databases import bootstrapped_database

RESULTS = Path(__file__).resolve().parent / "results"


def bench_database() -> AbstractContextManager[str]:
    """A fresh bootstrapped database on DATABASE_URL's server (or the embedded one), the env pointed at it."""
    return bootstrapped_database()


def machine() -> dict[str, object]:
    with psycopg.connect(os.environ["DATABASE_URL"]) as conn:
        row = conn.execute("SHOW server_version").fetchone()
        server = {
            name: conn.execute(f"SHOW {name}").fetchone()[0]  # type: ignore[index]
            for name in ("shared_buffers", "max_wal_size", "checkpoint_timeout")
        }
    return {
        "python": platform.python_version(),
        "os": f"{platform.system()} {platform.release()}",
        "cpu": platform.processor() or platform.machine(),
        "cores": os.cpu_count(),
        "postgres": row[0] if row else "?",
        "db_host": make_url(os.environ["DATABASE_URL"]).host or "socket",
        "db_port": make_url(os.environ["DATABASE_URL"]).port or 5432,
        **server,
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
