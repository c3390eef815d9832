"""Liveness and readiness.

`/healthz` answers as long as the process serves HTTP (no I/O). `/readyz` checks the database (the app
login role) and the Celery broker, each with a hard time limit, and answers 503 naming what failed.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from smartcommune.platform.worker.celery_app import check_broker
from smartcommune.tenants.database import app_engine, ping

CHECK_TIMEOUT_S = 3.0

router = APIRouter(tags=["health"])
_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="readyz")


def check_database() -> None:
    ping(app_engine())


def check_broker_connection() -> None:
    check_broker(timeout=CHECK_TIMEOUT_S)


CHECKS: dict[str, Callable[[], None]] = {"database": check_database, "broker": check_broker_connection}


def run_checks(checks: dict[str, Callable[[], None]], timeout: float = CHECK_TIMEOUT_S) -> dict[str, str]:
    """Run the checks concurrently; each answers "ok" or a short reason (never a URL or a secret)."""
    futures = {name: _pool.submit(fn) for name, fn in checks.items()}
    results: dict[str, str] = {}
    for name, future in futures.items():
        try:
            future.result(timeout=timeout)
            results[name] = "ok"
        except FutureTimeout:
            results[name] = f"timeout after {timeout:g}s"
        except Exception as exc:
            results[name] = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}"
    return results


@router.get("/healthz", include_in_schema=False)
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", include_in_schema=False)
def readyz() -> JSONResponse:
    results = run_checks(CHECKS)
    failed = sorted(name for name, outcome in results.items() if outcome != "ok")
    body = {"status": "fail" if failed else "ok", "failed": failed, "checks": results}
    return JSONResponse(body, status_code=503 if failed else 200)
