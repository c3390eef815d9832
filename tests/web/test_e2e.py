"""End to end in Debian's Chromium against a really running platform (`smartcommune serve` + a worker).

A throwaway database gets the demo seed (Xã Cam Lộ and Xã Hậu Lộc, every login; tests/web/platform_process.py),
the server serves a fresh build of web/, and each flow of web/e2e/flows/ runs in headless Chromium
(playwright-core, executablePath /usr/bin/chromium) through web/e2e/run.mjs, one test per flow: the existing
console and PWA flows, axe-core accessibility of each app's main page, tenant isolation, a resident's report
with a photo resolved by an official, an urgent announcement reaching the inbox, and onboarding a commune
through the wizard. A flow whose screen is not built yet reports a skip with its reason. Screenshots (and
axe results) are kept in WEB_E2E_ARTIFACTS (default: pytest's temporary directory).
"""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urljoin

import httpx
import pytest
from testsupport.streams import MjpegServer
from web.platform_process import RunningPlatform, running_platform

WEB = Path(__file__).resolve().parents[2] / "web"
CHROMIUM = Path("/usr/bin/chromium")
FLOW_TIMEOUT_S = 180

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="/usr/bin/chromium is absent (`make test` installs Debian's chromium when it runs as root with apt-get)",
    ),
]

# In web/e2e/run.mjs order: the resident flow counts unread messages before other flows send more.
FLOWS = (
    "journey-provider",
    "provider",
    "admin",
    "resident",
    "accessibility",
    "isolation",
    "report",
    "announcement",
    "onboarding",
    "journey-resident",
    "public",
    "journey-cameras",
)

# Each flow's screenshots that must exist when it passes.
SCREENSHOTS = {
    "journey-provider": {"provider-communes.png", "provider-run-handover.png"},
    "provider": {"provider-communes-360.png"},
    "admin": {"admin-villages-360.png", "admin-audit-360.png"},
    "resident": {"resident-inbox-360.png", "resident-offline-360.png"},
    "isolation": {"isolation-admin-other-commune-360.png", "isolation-resident-other-commune-360.png"},
}

# The demo seed gives the resident of Cam Lộ (0912000001) a household in Thôn An Bình, linked to their account,
# and exactly two unread messages: "Họp thôn An Bình tối thứ Sáu" and the urgent "Lịch tiêm phòng cho trẻ em"
# (smartcommune.provisioning.demo.life).

# Several flows sign the same resident in; the production limit (5 codes an hour per phone) would refuse some.
# The resident journey plays the bank (a SePay webhook with this key), as the outside party it is.
PLATFORM_ENV = {"OTP_REQUESTS_PER_HOUR": "100", "SEPAY_API_KEY": "e2e-sepay-key"}


@pytest.fixture(scope="module")
def camera_simulator() -> Iterator[MjpegServer]:
    """A living camera for the cameras journey (the MJPEG generator `make run` runs too), on 127.0.0.1."""
    with MjpegServer(fps=8) as server:
        yield server


@pytest.fixture(scope="module")
def platform(
    web_dist: Path, tmp_path_factory: pytest.TempPathFactory, camera_simulator: MjpegServer
) -> Iterator[RunningPlatform]:
    logs = tmp_path_factory.mktemp("e2e-server")
    # Loopback is never a camera address; the development allow names exactly this simulator's host:port.
    env = {**PLATFORM_ENV, "DEV_CAMERA_URLS": f"127.0.0.1:{camera_simulator.port}"}
    try:
        with running_platform(web_dist, logs, worker=True, extra_env=env) as running:
            yield running
    except RuntimeError as exc:
        pytest.fail(str(exc))


@pytest.fixture(scope="module")
def artefacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return Path(os.environ.get("WEB_E2E_ARTIFACTS") or tmp_path_factory.mktemp("e2e-artefacts"))


def _log_tail(path: Path | None, chars: int = 4000) -> str:
    return path.read_text(errors="replace")[-chars:] if path is not None and path.exists() else ""


def test_every_flow_module_is_listed() -> None:
    assert sorted(FLOWS) == sorted(p.stem for p in (WEB / "e2e" / "flows").glob("*.mjs"))


def test_static_apps_are_served_under_the_commune_prefix(platform: RunningPlatform) -> None:
    for path in ("/app/provider/", "/app/admin/", "/t/cam-lo/app/admin/", "/t/cam-lo/app/resident/sw.js"):
        assert httpx.get(platform.base_url + path, timeout=5).status_code == 200, path


def test_the_apps_go_out_gzipped_for_slow_networks(platform: RunningPlatform) -> None:
    page_url = platform.base_url + "/t/cam-lo/app/resident/"
    page = httpx.get(page_url, timeout=5).text
    script = re.search(r'<script[^>]+src="([^"]+\.js)"', page)
    assert script, page[:500]
    url = urljoin(page_url, script.group(1))
    plain = httpx.get(url, headers={"Accept-Encoding": "identity"}, timeout=5)
    with httpx.stream("GET", url, headers={"Accept-Encoding": "gzip"}, timeout=5) as zipped:
        wire = b"".join(zipped.iter_raw())
        assert zipped.headers["content-encoding"] == "gzip"
    assert "content-encoding" not in plain.headers
    assert gzip.decompress(wire) == plain.content and len(wire) < len(plain.content) * 0.6


@pytest.mark.parametrize("flow", FLOWS)
def test_flow_in_chromium(
    flow: str,
    platform: RunningPlatform,
    artefacts: Path,
    node_bin: Callable[[str], Path],
    camera_simulator: MjpegServer,
) -> None:
    node_bin("vite")  # fails with "run make web-deps" when node_modules is missing (playwright-core lives there)
    node = shutil.which("node")
    assert node
    env = {
        **os.environ,
        "BASE_URL": platform.base_url,
        "SERVER_LOG": str(platform.server_log),
        "OUT_DIR": str(artefacts),
        "E2E_FLOW_TIMEOUT_MS": str((FLOW_TIMEOUT_S - 20) * 1000),
        "E2E_CAMERA_URL": camera_simulator.url,
    }
    result = subprocess.run(
        [node, str(WEB / "e2e" / "run.mjs"), flow],
        cwd=WEB,
        env=env,
        capture_output=True,
        text=True,
        timeout=FLOW_TIMEOUT_S,
    )
    print(result.stdout)
    lines = result.stdout.strip().splitlines()
    summary = json.loads(lines[-1]) if lines and lines[-1].startswith("{") else {}
    if flow in summary.get("skipped", {}):
        pytest.skip(summary["skipped"][flow])
    assert result.returncode == 0 and flow in summary.get("passed", []), (
        f"e2e flow {flow} failed:\n{result.stdout}\n{result.stderr}\n"
        f"--- server log tail ---\n{_log_tail(platform.server_log)}\n"
        f"--- worker log tail ---\n{_log_tail(platform.worker_log, 2000)}"
    )
    missing = SCREENSHOTS.get(flow, set()) - {p.name for p in artefacts.glob("*.png")}
    assert not missing, f"{flow} saved no {sorted(missing)} in {artefacts}"
