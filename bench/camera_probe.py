"""Probe simulated cameras the way onboarding and the health sweep do (SSRF guard, preflight, OpenCV FFMPEG
with hard timeouts, watchdog), concurrently: a mix of reachable HTTP MJPEG cameras (real servers started
here, several cameras per server) and dead ones (ports that accept and never answer; closed ports).

    .venv/bin/python bench/camera_probe.py            # 200 cameras, 25 % dead (issue 3)
    BENCH_CAMERAS=1000 .venv/bin/python bench/camera_probe.py

Prints figures; the LAST line is one JSON object. Also used by bench/camera_health.py.
"""

from __future__ import annotations

import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from _common import finish, pct
from testsupport.streams import MjpegServer, SilentServer, closed_port

from smartcommune.platform.cameras.probe import probe_url
from smartcommune.platform.netguard import parse_networks

LOCAL = parse_networks(["127.0.0.1/32"])


def run(cameras: int, dead_share: float, workers: int, servers: int, name: str) -> dict[str, object]:
    dead = int(cameras * dead_share)
    live = cameras - dead
    mjpeg = [MjpegServer(fps=10, width=640, height=360).start() for _ in range(servers)]
    silent = [SilentServer().__enter__() for _ in range(max(1, servers // 2))]
    urls: list[tuple[bool, str]] = [(True, mjpeg[i % servers].url) for i in range(live)]
    for i in range(dead):
        if i % 2:
            urls.append((False, silent[i % len(silent)].url))
        else:
            urls.append((False, f"http://127.0.0.1:{closed_port()}/stream.mjpg"))
    try:
        t0 = time.monotonic()
        with ThreadPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(lambda u: (u[0], probe_url(u[1], allow=LOCAL, frames=2)), urls))
        total = time.monotonic() - t0
    finally:
        for m in mjpeg:
            m.stop()
        for s in silent:
            s.__exit__()
    live_ms = [r.elapsed_ms for alive, r in results if alive]
    dead_ms = [r.elapsed_ms for alive, r in results if not alive]
    live_ok = sum(1 for alive, r in results if alive and r.ok)
    dead_failed = sum(1 for alive, r in results if not alive and not r.ok)
    figures: dict[str, object] = {
        "cameras": cameras,
        "reachable": live,
        "dead": dead,
        "workers": workers,
        "mjpeg_servers": servers,
        "reachable_ok": live_ok,
        "dead_failed": dead_failed,
        "reachable_p50_ms": round(pct(live_ms, 50), 1),
        "reachable_p95_ms": round(pct(live_ms, 95), 1),
        "dead_worst_ms": round(max(dead_ms, default=0.0), 1),
        "dead_p95_ms": round(pct(dead_ms, 95), 1),
        "sweep_total_s": round(total, 2),
        "per_camera_throughput_ms": round(total * 1000 / cameras, 1),
    }
    print(
        f"{cameras} cameras ({live} reachable, {dead} dead) with {workers} workers: total {total:.2f} s; "
        f"reachable p95 {figures['reachable_p95_ms']} ms ({live_ok} ok); dead worst {figures['dead_worst_ms']} ms"
    )
    finish(name, figures)
    return figures


if __name__ == "__main__":
    run(
        int(os.environ.get("BENCH_CAMERAS", "200")),
        float(os.environ.get("BENCH_DEAD_SHARE", "0.25")),
        int(os.environ.get("BENCH_WORKERS", "32")),
        int(os.environ.get("BENCH_SERVERS", "10")),
        "camera_probe",
    )
