"""`smartcommune run` (what `make run` calls): the whole platform on one machine with embedded defaults."""

from __future__ import annotations

import os
import subprocess
import sys

from smartcommune.provisioning.cli.demo import print_logins, seed_demo
from smartcommune.provisioning.cli.progress import console
from smartcommune.tenants.bootstrap import bootstrap
from smartcommune.tenants.database import embedded_database_url, owner_engine, reset_engines
from smartcommune.tenants.fleet_migrator import migrate_fleet
from smartcommune.tenants.settings import get_settings


def run_all(*, host: str, port: int) -> None:
    settings = get_settings()
    embedded = not settings.database_url
    if embedded:
        # Pin the embedded server's URL so the worker process shares it.
        os.environ["DATABASE_URL"] = embedded_database_url(settings)
        reset_engines()
    os.environ.setdefault("PUBLIC_URL", f"http://{host}:{port}")
    reset_engines()
    engine = owner_engine()
    bootstrap(engine)
    report = migrate_fleet(engine, workers=1)
    logins = seed_demo()
    worker = subprocess.Popen(
        [sys.executable, "-m", "smartcommune.main", "worker", "--pool", "solo", "--concurrency", "1"],
        env=os.environ.copy(),
    )
    base = f"http://{host}:{port}"
    console.rule("[bold green]Smart Commune đang chạy / is running")
    console.print(f"API docs (OpenAPI):       {base}/docs")
    console.print(f"Xã Cam Lộ (resident API): {base}/t/cam-lo/api/v1/commune")
    console.print(f"Xã Hậu Lộc:               {base}/t/hau-loc/api/v1/commune")
    console.print(f"Provider API:             {base}/api/provider/v1/communes")
    console.print(f"Login (OIDC discovery):   {base}/auth/realms/communes/.well-known/openid-configuration")
    console.print(f"Health / metrics:         {base}/healthz  {base}/readyz  {base}/metrics")
    console.print(f"Web — nhà cung cấp / provider console:  {base}/app/provider/")
    console.print(f"Web — quản trị xã / commune admin:      {base}/t/cam-lo/app/admin/  {base}/t/hau-loc/app/admin/")
    console.print(f"Web — người dân / resident app (PWA):   {base}/t/cam-lo/app/resident/")
    where = f"embedded pgserver in {settings.data_dir / 'pg'}" if embedded else "DATABASE_URL"
    console.print(f"Database: {where}")
    console.print(f"Worker: celery pid {worker.pid}; fleet migrated {report.migrated} communes to head")
    print_logins(logins)
    import uvicorn

    from smartcommune.platform.http.server import uvicorn_options

    try:
        uvicorn.run(
            "smartcommune.main:create_app", factory=True, host=host, port=port, log_config=None, **uvicorn_options()
        )
    finally:
        worker.terminate()
        worker.wait(timeout=20)
