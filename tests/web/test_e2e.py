"""End to end in Debian's Chromium against a really running platform (`smartcommune serve`).

A throwaway database gets the demo seed (`smartcommune demo`: Xã Cam Lộ and Xã Hậu Lộc, every login), the
server serves a fresh build of web/, and web/e2e/flows.mjs (playwright-core, executablePath
/usr/bin/chromium) drives the provider console, the commune admin console and the resident PWA at 360 px.
The resident's one-time code is read from the server log, where the development SMS channel writes it.
Screenshots are kept in WEB_E2E_ARTIFACTS (default: pytest's temporary directory).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from testsupport.databases import create_database, drop_database

WEB = Path(__file__).resolve().parents[2] / "web"
CHROMIUM = Path("/usr/bin/chromium")
BIN = Path(sys.executable).parent

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="/usr/bin/chromium is absent (`make test` installs Debian's chromium when it runs as root with apt-get)",
    ),
]


# Runs against the throwaway database: the resident of Cam Lộ (created as on first login) gets two messages.
SEED_INBOX = """
from sqlalchemy.orm import Session
from smartcommune.platform.identity.accounts import find_or_create_resident
from smartcommune.platform.identity.phones import normalize_phone
from smartcommune.platform.inbox.service import Message, notify
from smartcommune.tenants.database import app_engine, owner_engine
from smartcommune.tenants.registry import get_commune, info_from_row
from smartcommune.tenants.session import tenant_transaction

with Session(app_engine()) as session, session.begin():
    subject = str(find_or_create_resident(session, 19597, normalize_phone("0912000001")).id)
with tenant_transaction(info_from_row(get_commune(owner_engine(), 19597))) as db:
    notify(db, [subject], Message(kind="news", title="Họp thôn An Bình tối thứ Sáu",
                                  body="19 giờ 30 tại nhà văn hóa thôn."))
    notify(db, [subject], Message(kind="announcement", title="Lịch tiêm phòng cho trẻ em",
                                  body="Sáng thứ Bảy tại trạm y tế xã. Mang theo sổ tiêm chủng.", priority="urgent"))
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _smartcommune() -> list[str]:
    exe = BIN / "smartcommune"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "smartcommune.main"]


@pytest.fixture(scope="module")
def platform(web_dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    url = create_database()
    logs = tmp_path_factory.mktemp("e2e-server")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "ENVIRONMENT": "test",
        "PUBLIC_URL": base,
        "WEB_DIST_DIR": str(web_dist),
        "LOG_JSON": "true",
        "LOG_LEVEL": "INFO",
    }
    env.pop("APP_DATABASE_URL", None)
    server_log = logs / "server.log"
    proc: subprocess.Popen[bytes] | None = None
    try:
        subprocess.run([*_smartcommune(), "demo"], env=env, check=True, capture_output=True, timeout=180)
        subprocess.run([sys.executable, "-c", SEED_INBOX], env=env, check=True, timeout=120)
        with server_log.open("wb") as out:
            proc = subprocess.Popen(
                [*_smartcommune(), "serve", "--host", "127.0.0.1", "--port", str(port)],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/app/resident/", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the platform did not start:\n{server_log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.2)
        yield base, server_log
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
        drop_database(url)


def test_static_apps_are_served_under_the_commune_prefix(platform: tuple[str, Path]) -> None:
    base, _ = platform
    for path in ("/app/provider/", "/app/admin/", "/t/cam-lo/app/admin/", "/t/cam-lo/app/resident/sw.js"):
        assert httpx.get(base + path, timeout=5).status_code == 200, path


def test_flows_in_chromium(platform: tuple[str, Path], tmp_path: Path, node_bin: Callable[[str], Path]) -> None:
    base, server_log = platform
    node_bin("vite")  # fails with "run make web-deps" when node_modules is missing (playwright-core lives there)
    out = Path(os.environ.get("WEB_E2E_ARTIFACTS") or tmp_path / "screenshots")
    node = shutil.which("node")
    assert node
    result = subprocess.run(
        [node, str(WEB / "e2e" / "flows.mjs")],
        cwd=WEB,
        env={**os.environ, "BASE_URL": base, "SERVER_LOG": str(server_log), "OUT_DIR": str(out)},
        capture_output=True,
        text=True,
        timeout=240,
    )
    print(result.stdout)
    assert result.returncode == 0, (
        f"e2e flows failed:\n{result.stdout}\n{result.stderr}\n--- server log tail ---\n"
        f"{server_log.read_text(errors='replace')[-4000:]}"
    )
    shots = sorted(p.name for p in out.glob("*.png"))
    assert {"provider-communes-360.png", "admin-villages-360.png", "resident-inbox-360.png"} <= set(shots), shots
