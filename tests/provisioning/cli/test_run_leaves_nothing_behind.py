"""`smartcommune run` (what `make run` calls) in a process group of its own, on free ports, with the embedded
PostgreSQL in a temporary data folder: stopped by Ctrl-C (SIGINT to the group) and then by SIGKILL of the
whole group, it leaves no child process and no embedded PostgreSQL behind. While it runs, the living demo is
there: the camera online, the simulated devices' telemetry arriving through the project's broker."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import pytest

pytestmark = pytest.mark.slow
START_TIMEOUT_S = 240.0  # first start: initdb of the embedded server, the two provisioning runs, the seed
STOP_TIMEOUT_S = 30.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def data_dir() -> Iterator[Path]:
    # Not under pytest's 0700 temporary folders: as root, the embedded server runs as its own system user,
    # which must reach its data folder.
    root = Path(tempfile.mkdtemp(prefix="sc-make-run-"))
    root.chmod(0o755)
    try:
        yield root / "data"
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _start(data_dir: Path) -> tuple[subprocess.Popen[bytes], str, Path]:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "APP_DATABASE_URL", "MQTT_URL")}
    env.update(DATA_DIR=str(data_dir), ENVIRONMENT="development", BROKER_URL="", LOG_LEVEL="WARNING")
    for key in [k for k in env if k.startswith(("STRIPE_", "DEV_CAMERA"))]:
        env.pop(key)
    log = data_dir.parent / f"run-{port}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "smartcommune.main", "run", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group, as a terminal gives `make run`
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
            pytest.fail(f"`smartcommune run` did not start:\n{log.read_text(errors='replace')[-4000:]}")
        time.sleep(0.5)
    return proc, base, log


def _family(proc: subprocess.Popen[bytes], pgdata: Path) -> list[psutil.Process]:
    """Every descendant of `run` and the embedded postmaster (detached from the group by pg_ctl)."""
    found = psutil.Process(proc.pid).children(recursive=True)
    pid_file = pgdata / "postmaster.pid"
    assert pid_file.exists(), "the embedded PostgreSQL is not running"
    postmaster = psutil.Process(int(pid_file.read_text().splitlines()[0]))
    return [*found, postmaster, *postmaster.children(recursive=True)]


def _nothing_left(family: list[psutil.Process], pgdata: Path) -> None:
    deadline = time.monotonic() + STOP_TIMEOUT_S
    while time.monotonic() < deadline:
        alive = [p for p in family if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
        if not alive and not (pgdata / "postmaster.pid").exists():
            return
        time.sleep(0.3)
    left = [f"{p.pid} {' '.join(p.cmdline())[:120]}" for p in family if p.is_running()]
    for p in family:  # do not leave them to the next test either
        if p.is_running():
            p.kill()
    pytest.fail(f"left behind: {left}, postmaster.pid exists: {(pgdata / 'postmaster.pid').exists()}")


def _wait_for(probe: object, timeout_s: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if probe():  # type: ignore[operator]
            return True
        time.sleep(0.5)
    return False


def _telemetry_rows(pgdata: Path) -> int:
    import psycopg

    with psycopg.connect(host=str(pgdata), user="postgres", dbname="postgres") as conn:
        row = conn.execute("SELECT count(*) FROM c_19597.telemetry").fetchone()
        return int(row[0]) if row else 0


def test_ctrl_c_then_a_killed_group_leave_nothing_behind(data_dir: Path) -> None:
    pgdata = data_dir / "pg"
    # 1. Ctrl-C: the terminal sends SIGINT to the whole foreground process group.
    proc, base, log = _start(data_dir)
    family = _family(proc, pgdata)
    names = " ".join(" ".join(p.cmdline()) for p in family)
    assert "devtools.camera" in names and "devtools.watchdog" in names and "worker" in names, names
    with_broker = "mosquitto" in names
    if with_broker:
        assert "mqtt-ingest" in names and "devtools.devices" in names, names
        assert _wait_for(lambda: _telemetry_rows(pgdata) > 0), log.read_text(errors="replace")[-3000:]
    assert "camera online" in log.read_text(errors="replace")
    assert httpx.get(f"{base}/t/cam-lo/api/v1/commune", timeout=5).status_code == 200
    os.killpg(proc.pid, signal.SIGINT)
    proc.wait(timeout=STOP_TIMEOUT_S)
    _nothing_left(family, pgdata)

    # 2. The whole group killed at once (SIGKILL: no cleanup code of `run` runs at all).
    proc, _, _ = _start(data_dir)
    family = _family(proc, pgdata)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=STOP_TIMEOUT_S)
    _nothing_left(family, pgdata)
