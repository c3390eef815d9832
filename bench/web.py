"""The resident app on a slow 3G network: bytes on the wire and time to interactive, cold and warm.

The platform runs as in tests/web/test_e2e.py (a throwaway database with the demo communes, `smartcommune
serve` serving a fresh build of web/). web/e2e/slow3g.mjs then opens Xã Cam Lộ's resident app
(/t/cam-lo/app/resident/, the sign-in page) in Debian's Chromium at 360 px, with CDP network throttling
to the "slow-3g-400k" profile (400 kbit/s down and up, 400 ms round trip) and the HTTP cache disabled, on
the page and on its service worker:

- cold: an empty profile, nothing cached;
- warm: the same profile once the service worker has installed and controls the page (shell and scripts
  from its cache, the page itself network first).

Time to interactive: the later of the sign-in button being visible and enabled and the end of the last
long task (≥ 50 ms), once the main thread has been free of long tasks for 500 ms (ms from navigation
start). Transferred bytes are what went over the network (headers included), as `smartcommune serve` sends
them (uncompressed: it does not gzip); the JS is also given gzipped (-9), as a compressing proxy would send it.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/web.py
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Any

_HERE = Path(__file__).resolve().parent
REPO = _HERE.parent
WEB = REPO / "web"
CHROMIUM = Path("/usr/bin/chromium")
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]


def _load(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


_common = _load("_bench_common", _HERE / "_common.py")
_platform = _load("_web_platform_process", REPO / "tests" / "web" / "platform_process.py")
finish, machine = _common.finish, _common.machine


def build(out: Path) -> None:
    vite = WEB / "node_modules" / ".bin" / "vite"
    if not vite.exists():
        raise SystemExit(f"{vite} is missing: run `make web-deps`")
    subprocess.run(
        [str(vite), "build", "--outDir", str(out), "--emptyOutDir", "--logLevel", "warn"], cwd=WEB, check=True
    )


def gzip_bytes(dist: Path, url_paths: list[str]) -> int:
    """Gzipped (-9) size of the scripts at these URL paths (…/app/assets/x.js → dist/assets/x.js)."""
    total = 0
    for url_path in set(url_paths):
        relative = url_path.split("/app/", 1)[1]
        total += len(gzip.compress((dist / relative).read_bytes(), compresslevel=9))
    return total


def measure(base_url: str, rounds: int, cpu_slowdown: int) -> dict[str, Any]:
    node = shutil.which("node")
    if node is None:
        raise SystemExit("node is not installed (Node.js 20+)")
    env = {**os.environ, "BASE_URL": base_url, "ROUNDS": str(rounds), "CPU_SLOWDOWN": str(cpu_slowdown)}
    result = subprocess.run(
        [node, str(WEB / "e2e" / "slow3g.mjs")], cwd=WEB, env=env, capture_output=True, text=True, timeout=600
    )
    print(result.stdout.rstrip().rpartition("\n")[0])
    if result.returncode != 0:
        raise SystemExit(f"slow3g.mjs failed:\n{result.stdout}\n{result.stderr}")
    figures: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return figures


def median(runs: list[dict[str, Any]], key: str) -> float | int:
    value = statistics.median(float(r[key]) for r in runs)
    return int(value) if value.is_integer() else value


def versions() -> dict[str, str]:
    chromium = subprocess.run([str(CHROMIUM), "--version"], capture_output=True, text=True, timeout=30).stdout
    node = subprocess.run(["node", "--version"], capture_output=True, text=True, timeout=30).stdout
    return {"chromium": chromium.strip(), "node": node.strip()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3, help="cold+warm loads, each in a new browser profile")
    parser.add_argument("--cpu-slowdown", type=int, default=1, help="CDP CPU throttling rate (4 ≈ low-end phone)")
    parser.add_argument("--dist", type=Path, help="an existing build of web/ (default: build one now)")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    if not CHROMIUM.exists():
        raise SystemExit("/usr/bin/chromium is missing: `make chromium` (Debian's package)")

    # The machine may be shared: its load when the measurement starts says how much to trust the times.
    info = {**machine(), **versions(), "load_avg_1m": round(os.getloadavg()[0], 2)}
    print("machine:", info)
    with tempfile.TemporaryDirectory(prefix="bench-web-") as tmp:
        dist, logs = args.dist or Path(tmp) / "dist", Path(tmp) / "logs"
        logs.mkdir()
        if args.dist is None:
            build(dist)
        with _platform.running_platform(dist, logs) as platform:
            raw = measure(platform.base_url, args.rounds, args.cpu_slowdown)
        cold, warm = raw["runs"]["cold"], raw["runs"]["warm"]
        js_gzip = gzip_bytes(dist, cold[0]["js_paths"])
    profile = raw["profile"]
    figures = {
        "app": "resident (/t/cam-lo/app/resident/, sign-in page)",
        "network_profile": profile["name"],
        "network_down_kbps": profile["down_kbps"],
        "network_up_kbps": profile["up_kbps"],
        "network_rtt_ms": profile["rtt_ms"],
        "cpu_slowdown": raw["cpu_slowdown"],
        "tti_quiet_window_ms": raw["quiet_ms"],
        "rounds": args.rounds,
        "viewport_px": 360,
        "cold_tti_ms": median(cold, "tti_ms"),
        "cold_fcp_ms": median(cold, "fcp_ms"),
        "cold_transferred_bytes": median(cold, "transferred_bytes"),
        "cold_js_transferred_bytes": median(cold, "js_transferred_bytes"),
        "cold_js_gzip_bytes": js_gzip,
        "cold_requests": median(cold, "requests_on_network"),
        "warm_tti_ms": median(warm, "tti_ms"),
        "warm_fcp_ms": median(warm, "fcp_ms"),
        "warm_transferred_bytes": median(warm, "transferred_bytes"),
        "warm_js_transferred_bytes": median(warm, "js_transferred_bytes"),
        "warm_requests": median(warm, "requests_on_network"),
        "warm_from_service_worker": median(warm, "from_service_worker"),
        "long_tasks_max": max(r["long_tasks"] for r in cold + warm),
        "machine": info,
    }
    print(
        f"{profile['name']} ({profile['down_kbps']} kbit/s, {profile['rtt_ms']} ms RTT), median of {args.rounds}:\n"
        f"  cold: TTI {figures['cold_tti_ms']:.0f} ms (FCP {figures['cold_fcp_ms']:.0f} ms), "
        f"{figures['cold_transferred_bytes'] / 1024:.1f} KB on the wire, "
        f"JS {figures['cold_js_transferred_bytes'] / 1024:.1f} KB "
        f"({js_gzip / 1024:.1f} KB gzipped) in {figures['cold_requests']:.0f} requests\n"
        f"  warm: TTI {figures['warm_tti_ms']:.0f} ms (FCP {figures['warm_fcp_ms']:.0f} ms), "
        f"{figures['warm_transferred_bytes'] / 1024:.1f} KB on the wire in {figures['warm_requests']:.0f} requests, "
        f"{figures['warm_from_service_worker']:.0f} answered by the service worker"
    )
    finish("web", figures, write=not args.no_write)


if __name__ == "__main__":
    main()
