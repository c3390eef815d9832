"""A really running platform for browser tests and the web benchmark (not a test module).

A throwaway database gets the demo seed (`smartcommune demo`: Xã Cam Lộ and Xã Hậu Lộc, a login for every
role), then `smartcommune serve` on a free port serves the API and a given build of web/, and optionally
`smartcommune worker` (Celery on the same database's SQLAlchemy transport) runs provisioning, notification
and camera tasks. The server's and the worker's logs are files (the resident's one-time code is read there).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from testsupport.databases import create_database, drop_database

BIN = Path(sys.executable).parent
STARTUP_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class RunningPlatform:
    base_url: str
    server_log: Path
    worker_log: Path | None
    database_url: str
    camera_url: str


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def smartcommune() -> list[str]:
    exe = BIN / "smartcommune"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "smartcommune.main"]


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _start(args: list[str], env: dict[str, str], log: Path, stack: ExitStack) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        proc = subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    stack.callback(_stop, proc)
    return proc


def _wait_until_serving(base: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while True:
        try:
            if httpx.get(f"{base}/app/resident/", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"the platform did not start:\n{log.read_text(errors='replace')[-3000:]}")
        time.sleep(0.2)


@contextmanager
def running_platform(
    web_dist: Path,
    logs: Path,
    *,
    seed_script: str | None = None,
    worker: bool = False,
    extra_env: dict[str, str] | None = None,
) -> Iterator[RunningPlatform]:
    """The demo platform serving `web_dist`; `seed_script` (Python source) runs against it before it starts."""
    from smartcommune.provisioning.devtools.streams import MjpegServer

    url = create_database()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "BROKER_URL": "",
        "ENVIRONMENT": "test",
        "PUBLIC_URL": base,
        "WEB_DIST_DIR": str(web_dist),
        "LOG_JSON": "true",
        "LOG_LEVEL": "INFO",
        **(extra_env or {}),
    }
    # The demo camera streams from the dev tools' simulated camera, allowed by exact address (as `make run` does).
    camera = MjpegServer(fps=5.0)
    env["DEV_CAMERA_URLS"] = ",".join(a for a in (env.get("DEV_CAMERA_URLS", ""), f"127.0.0.1:{camera.port}") if a)
    env.pop("APP_DATABASE_URL", None)
    # The demo platform has no Stripe: other suites of the same session point STRIPE_* at their stand-ins.
    for key in [k for k in env if k.startswith("STRIPE_")]:
        env.pop(key)
    server_log = logs / "server.log"
    worker_log = logs / "worker.log" if worker else None
    with ExitStack() as stack:
        stack.callback(drop_database, url)
        stack.enter_context(camera)
        subprocess.run(
            [*smartcommune(), "demo", "--camera-url", camera.url], env=env, check=True, capture_output=True, timeout=180
        )
        if seed_script:
            subprocess.run([sys.executable, "-c", seed_script], env=env, check=True, timeout=120)
        server = _start([*smartcommune(), "serve", "--host", "127.0.0.1", "--port", str(port)], env, server_log, stack)
        if worker_log is not None:
            _start([*smartcommune(), "worker", "--concurrency", "2"], env, worker_log, stack)
        _wait_until_serving(base, server, server_log)
        yield RunningPlatform(base, server_log, worker_log, url, camera.url)
