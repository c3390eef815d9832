"""`smartcommune run` (what `make run` calls): the whole platform on one machine with embedded defaults.

Beside the API it starts, as processes of its own: a Celery worker; the simulated camera (MJPEG) the demo
camera points at; when Mosquitto is installed, a project-owned broker (device passwords and ACLs, anonymous
refused), the telemetry ingester and the simulated devices publishing through it; and a watchdog in a session
of its own that ends all of them, and the embedded PostgreSQL, however `run` is stopped (Ctrl-C, SIGTERM,
its process group killed).
"""

from __future__ import annotations

import os
import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path

from smartcommune.provisioning.cli.demo import DEMO, demo_devices, print_logins, seed_demo
from smartcommune.provisioning.cli.progress import console
from smartcommune.tenants.bootstrap import bootstrap
from smartcommune.tenants.database import embedded_database_url, owner_engine, reset_engines
from smartcommune.tenants.fleet_migrator import migrate_fleet
from smartcommune.tenants.settings import get_settings

PY = sys.executable


def _free_port() -> int:
    from smartcommune.provisioning.devtools.broker import free_port

    return free_port()


def _spawn(args: list[str], stack: ExitStack, log: Path | None = None) -> subprocess.Popen[bytes]:
    out = log.open("ab") if log is not None else None
    proc = subprocess.Popen(args, env=os.environ.copy(), stdin=subprocess.DEVNULL, stdout=out, stderr=out)
    if out is not None:
        out.close()

    def stop() -> None:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    stack.callback(stop)
    return proc


def _watchdog(pgdata: Path | None) -> subprocess.Popen[bytes]:
    args = [PY, "-m", "smartcommune.provisioning.devtools.watchdog", "--parent", str(os.getpid())]
    if pgdata is not None:
        args += ["--pgdata", str(pgdata)]
    return subprocess.Popen(args, start_new_session=True, stdin=subprocess.DEVNULL)


def run_all(*, host: str, port: int) -> None:
    settings = get_settings()
    embedded = not settings.database_url
    pgdata = settings.data_dir / "pg" if embedded else None
    _watchdog(pgdata)  # first: from here on nothing outlives this process
    if embedded:
        # Pin the embedded server's URL so the worker process shares it.
        os.environ["DATABASE_URL"] = embedded_database_url(settings)
    os.environ.setdefault("PUBLIC_URL", f"http://{host}:{port}")
    dev_dir = settings.data_dir / "dev"
    dev_dir.mkdir(parents=True, exist_ok=True)
    camera_port = _free_port()
    camera_url = f"http://127.0.0.1:{camera_port}/stream.mjpg"
    if settings.environment != "production":
        os.environ["DEV_CAMERA_URLS"] = ",".join(
            a for a in (*settings.dev_camera_urls.split(","), f"127.0.0.1:{camera_port}") if a.strip()
        )
    get_settings.cache_clear()
    reset_engines()
    with ExitStack() as stack:
        _spawn([PY, "-m", "smartcommune.provisioning.devtools.camera", "--port", str(camera_port)], stack)
        engine = owner_engine()
        bootstrap(engine)
        report = migrate_fleet(engine, workers=1)
        logins = seed_demo(camera_url=camera_url)
        telemetry = _telemetry(stack, dev_dir)
        worker = _spawn([PY, "-m", "smartcommune.main", "worker", "--pool", "solo", "--concurrency", "1"], stack)
        _banner(host, port, embedded, settings.data_dir, worker.pid, report.migrated, camera_url, telemetry)
        print_logins(logins)
        import uvicorn

        from smartcommune.platform.http.server import uvicorn_options

        uvicorn.run(
            "smartcommune.main:create_app", factory=True, host=host, port=port, log_config=None, **uvicorn_options()
        )


def _telemetry(stack: ExitStack, dev_dir: Path) -> str:
    """Broker, ingester and simulated devices; a sentence saying what runs (or why not)."""
    from smartcommune.provisioning.devtools import devices as simulated
    from smartcommune.provisioning.devtools.broker import INGEST_USERNAME, DevBroker, mosquitto_binary
    from smartcommune.tenants.registry import get_commune, info_from_row

    if mosquitto_binary() is None:
        return "MQTT: mosquitto is not installed: no broker, ingester or simulated devices (apt install mosquitto)"
    tenants = [(info_from_row(get_commune(owner_engine(), d.code)), [s.uid for s in demo_devices(d)]) for d in DEMO]
    sims = simulated.prepare(dev_dir / "devices.json", tenants)
    broker = DevBroker(dev_dir / "mqtt")
    broker.start()
    stack.callback(broker.stop)
    os.environ.update(
        MQTT_URL=broker.url, MQTT_INGEST_USERNAME=INGEST_USERNAME, MQTT_INGEST_PASSWORD=broker.ingest_password
    )
    get_settings.cache_clear()
    _spawn([PY, "-m", "smartcommune.main", "mqtt-ingest"], stack)
    address = f"127.0.0.1:{broker.port}"
    _spawn(
        [PY, "-m", "smartcommune.provisioning.devtools.devices", "--broker", address,
         "--credentials", str(dev_dir / "devices.json")],
        stack,
    )  # fmt: skip
    return (
        f"MQTT broker: {broker.url} (project-owned Mosquitto, device passwords + ACLs, anonymous refused); "
        f"ingester: mqtt-ingest as {INGEST_USERNAME}; {len(sims)} simulated devices publishing telemetry"
    )


def _banner(
    host: str, port: int, embedded: bool, data_dir: Path, worker_pid: int, migrated: int, camera: str, mqtt: str
) -> None:
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
    console.print(f"Trang công khai / public pages:         {base}/t/cam-lo/")
    where = f"embedded pgserver in {data_dir / 'pg'}" if embedded else "DATABASE_URL"
    console.print(f"Database: {where}")
    console.print(f"Worker: celery pid {worker_pid}; fleet migrated {migrated} communes to head")
    console.print(f"Simulated camera: {camera}")
    console.print(mqtt)
