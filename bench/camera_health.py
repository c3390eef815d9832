"""Health sweep of simulated cameras through the real code path: one commune with N cameras in PostgreSQL
(70 % pointing at HTTP MJPEG servers started here, 30 % dead), `cameras.tasks.sweep(tenant)` reads them,
probes concurrently outside any transaction, writes statuses (and notifications) in one transaction.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/camera_health.py
    BENCH_CAMERAS=1000 (default)

Prints figures; the LAST line is one JSON object.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from _common import bench_database, finish, machine, pct
from testsupport.streams import MjpegServer, SilentServer, closed_port

CAMERAS = int(os.environ.get("BENCH_CAMERAS", "1000"))
DEAD_SHARE = 0.3
SERVERS = 20
WORKERS = int(os.environ.get("BENCH_WORKERS", "64"))


def main() -> None:
    with bench_database():
        from sqlalchemy import func, select

        from smartcommune.platform.cameras import service
        from smartcommune.platform.cameras.models import Camera, SiteNetwork
        from smartcommune.platform.cameras.tasks import sweep
        from smartcommune.tenants.database import owner_engine
        from smartcommune.tenants.registry import create_commune
        from smartcommune.tenants.session import tenant_transaction

        tenant = create_commune(owner_engine(), 19597).tenant
        mjpeg = [MjpegServer(fps=10, width=640, height=360).start() for _ in range(SERVERS)]
        silent = [SilentServer().__enter__() for _ in range(10)]
        dead = int(CAMERAS * DEAD_SHARE)
        with tenant_transaction(tenant) as db:
            db.add(SiteNetwork(cidr="127.0.0.1/32", note="bench"))
            for i in range(CAMERAS):
                if i < CAMERAS - dead:
                    url = mjpeg[i % SERVERS].url
                elif i % 2:
                    url = silent[i % 10].url
                else:
                    url = f"http://127.0.0.1:{closed_port()}/s.mjpg"
                db.add(Camera(name=f"Camera {i}", stream_url=url, zones=[], masks=[]))
        try:
            runs = []
            for _ in range(2):
                t0 = time.monotonic()
                counts = sweep(tenant, max_workers=WORKERS)
                runs.append(time.monotonic() - t0)
                print(f"sweep of {CAMERAS}: {runs[-1]:.2f} s {counts}")
        finally:
            for m in mjpeg:
                m.stop()
            for s in silent:
                s.__exit__()
        with tenant_transaction(tenant) as db:
            probe_ms = [float(x) for x in db.scalars(select(Camera.last_probe_ms)) if x is not None]
            by_status = dict(db.execute(select(Camera.status, func.count()).group_by(Camera.status)).all())
        _ = service
        figures = {
            "cameras": CAMERAS,
            "dead": dead,
            "workers": WORKERS,
            "mjpeg_servers": SERVERS,
            "sweep_total_s": round(min(runs), 2),
            "sweep_runs_s": [round(r, 2) for r in runs],
            "per_camera_p50_ms": round(pct(probe_ms, 50), 1),
            "per_camera_p95_ms": round(pct(probe_ms, 95), 1),
            "per_camera_max_ms": round(max(probe_ms), 1),
            "by_status": by_status,
            "machine": machine(),
        }
        finish("camera_health", figures)


if __name__ == "__main__":
    main()
