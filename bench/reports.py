"""Field reports under load: submissions by many residents of several communes, then the public list.

One real uvicorn server (one worker, 127.0.0.1) runs the real app from `create_app()`; client threads in
this process drive it over keep-alive with httpx. Residents are real accounts with real tokens from the
embedded issuer; each submission goes the full path (token, casbin, tenant session, per-resident rate limit
counted in SQL, responsible officials looked up and notified, audit). Every 10th submission carries one
small JPEG (sniffed, EXIF stripped, stored). Then anonymous callers read each commune's public list
(50 newest, with photos) and map (one page of `MAP_PAGE` points; `next_before_id` pages on).

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/reports.py
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import itertools
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
_spec = importlib.util.spec_from_file_location("_bench_common", _HERE / "_common.py")
assert _spec is not None and _spec.loader is not None
_common = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_common)
bench_database, finish, machine, summary = _common.bench_database, _common.finish, _common.machine, _common.summary


def serve(port: int) -> None:
    import uvicorn

    from smartcommune.main import create_app

    config = uvicorn.Config(create_app(), host="127.0.0.1", port=port, workers=1, log_level="warning", access_log=False)
    uvicorn.Server(config).run()


class Server:
    def __init__(self, port: int) -> None:
        env = dict(os.environ, LOG_LEVEL="WARNING", ENVIRONMENT="bench", PYTHONUNBUFFERED="1")
        self.port = port
        self.proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--serve", "--port", str(port)], env=env
        )

    def wait_ready(self, timeout_s: float = 30.0) -> None:
        import httpx

        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}")
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/healthz", timeout=1.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError("server not ready")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def jpeg() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.effect_noise((320, 240), 40).convert("RGB").save(out, format="JPEG", quality=80)
    return out.getvalue()


def seed(codes: list[int], residents: int) -> list[dict[str, Any]]:
    """Communes, each with a report category, an official (notified of new reports) and residents."""
    from smartcommune.platform.identity.accounts import create_account, issue_token_for
    from smartcommune.platform.reports.models import ReportCategory
    from smartcommune.tenants.authz.service import assign_role
    from smartcommune.tenants.database import app_engine, owner_engine
    from smartcommune.tenants.principal import COMMUNE_REALM, PROVIDER_REALM, Principal
    from smartcommune.tenants.registry import create_commune
    from smartcommune.tenants.session import tenant_transaction

    seeder = Principal(subject="bench", realm=PROVIDER_REALM, realm_roles=("provider_admin",), username="bench")
    out = []
    for code in codes:
        tenant = create_commune(owner_engine(), code).tenant
        with tenant_transaction(tenant) as db:
            category = ReportCategory(
                code="den-duong",
                name="Đèn đường",
                description="",
                sla_hours=48,
                responsible_role="commune_official",
                group_name="Hạ tầng",
                active=True,
            )
            db.add(category)
            db.flush()
            category_id = category.id
        official = create_account(app_engine(), realm=COMMUNE_REALM, username=f"canbo.{code}", commune_code=code)
        assign_role(app_engine(), seeder, code, f"user:{official}", "commune_official")
        tokens = []
        for i in range(residents):
            account = create_account(app_engine(), realm=COMMUNE_REALM, username=f"dan.{code}.{i}", commune_code=code)
            tokens.append(issue_token_for(account))
        out.append({"slug": tenant.slug, "code": code, "category_id": category_id, "tokens": tokens})
    return out


def run(threads: int, n: int, job: Any) -> tuple[list[float], float, dict[int, int]]:
    """`n` calls of `job(client, i)` over `threads` keep-alive clients; latencies, wall time, statuses."""
    import httpx

    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    counter = itertools.count()
    barrier = threading.Barrier(threads + 1)

    def worker() -> None:
        with httpx.Client(timeout=30.0) as client:
            barrier.wait()
            while (i := next(counter)) < n:
                started = time.perf_counter()
                status = job(client, i)
                elapsed = time.perf_counter() - started
                with lock:
                    latencies.append(elapsed)
                    statuses[status] = statuses.get(status, 0) + 1

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    barrier.wait()
    started = time.perf_counter()
    for t in pool:
        t.join()
    return latencies, time.perf_counter() - started, statuses


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--communes", type=int, default=4)
    parser.add_argument("--residents", type=int, default=250, help="per commune")
    parser.add_argument("--submissions", type=int, default=2000)
    parser.add_argument("--reads", type=int, default=3000)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.port)
        return

    from smartcommune.platform.reports.service import REPORTS_PER_HOUR
    from smartcommune.tenants.authz.authorizer import reset_enforcer
    from smartcommune.tenants.official_list import all_communes

    assert args.submissions <= args.communes * args.residents * REPORTS_PER_HOUR, "the rate limit would refuse some"
    codes = [c.code for c in all_communes()][: args.communes]
    photo = jpeg()
    with bench_database():
        machine_info.update(machine())
        print("machine:", machine_info)
        started = time.perf_counter()
        communes = seed(codes, args.residents)
        print(f"seeded {args.communes} communes × {args.residents} residents in {time.perf_counter() - started:.1f} s")
        reset_enforcer()
        server = Server(free_port())
        try:
            server.wait_ready()
            base = f"http://127.0.0.1:{server.port}"

            def submit(client: Any, i: int) -> int:
                commune = communes[i % len(communes)]
                token = commune["tokens"][(i // len(communes)) % len(commune["tokens"])]
                data = {
                    "category_id": str(commune["category_id"]),
                    "description": f"Đèn đường hỏng số {i}",
                    "lat": str(16.7 + (i % 100) / 1000),
                    "lng": str(107.0 + (i % 77) / 1000),
                }
                files = [("photos", ("anh.jpg", photo, "image/jpeg"))] if i % 10 == 0 else None
                r = client.post(
                    f"{base}/t/{commune['slug']}/api/v1/reports",
                    data=data,
                    files=files,
                    headers={"Authorization": f"Bearer {token}"},
                )
                return int(r.status_code)

            by_kind: dict[str, list[float]] = {"list": [], "map": []}
            kinds_lock = threading.Lock()

            def read_list(client: Any, i: int) -> int:
                commune = communes[i % len(communes)]
                kind = "map" if i % 5 == 4 else "list"
                # The map is paged (default page, `next_before_id` for more), like a map client asks.
                path = "/api/v1/public/reports/map" if kind == "map" else "/api/v1/public/reports?limit=50"
                started = time.perf_counter()
                status = int(client.get(f"{base}/t/{commune['slug']}{path}").status_code)
                with kinds_lock:
                    by_kind[kind].append(time.perf_counter() - started)
                return status

            run(args.threads, 40, read_list)  # warm-up: imports, caches, connections
            w_lat, w_wall, w_status = run(args.threads, args.submissions, submit)
            by_kind["list"].clear()
            by_kind["map"].clear()
            r_lat, r_wall, r_status = run(args.threads, args.reads, read_list)
        finally:
            server.stop()

    w, r = summary(w_lat), summary(r_lat)
    rl, rm = summary(by_kind["list"]), summary(by_kind["map"])
    print(
        f"submissions: {args.submissions} in {w_wall:.2f} s, statuses {w_status}, p50 {w['p50'] * 1000:.1f} ms, "
        f"p95 {w['p95'] * 1000:.1f} ms"
    )
    print(
        f"public reads: {args.reads} in {r_wall:.2f} s, statuses {r_status}, p50 {r['p50'] * 1000:.1f} ms, "
        f"p95 {r['p95'] * 1000:.1f} ms (list p95 {rl['p95'] * 1000:.1f} ms, map p95 {rm['p95'] * 1000:.1f} ms)"
    )
    assert set(w_status) == {201} and set(r_status) == {200}, (w_status, r_status)
    figures = {
        "communes": args.communes,
        "residents": args.communes * args.residents,
        "client_threads": args.threads,
        "server_workers": 1,
        "submissions": args.submissions,
        "submissions_with_photo_share": 0.1,
        "submit_rps": round(args.submissions / w_wall, 1),
        "submit_p50_ms": round(w["p50"] * 1000, 2),
        "submit_p95_ms": round(w["p95"] * 1000, 2),
        "submit_p99_ms": round(w["p99"] * 1000, 2),
        "public_reads": args.reads,
        "public_read_rps": round(args.reads / r_wall, 1),
        "public_read_p50_ms": round(r["p50"] * 1000, 2),
        "public_read_p95_ms": round(r["p95"] * 1000, 2),
        "public_read_p99_ms": round(r["p99"] * 1000, 2),
        "public_list_p95_ms": round(rl["p95"] * 1000, 2),
        "public_map_p95_ms": round(rm["p95"] * 1000, 2),
        "public_map_page": MAP_PAGE,
        "machine": machine_info,
    }
    finish("reports", figures, write=not args.no_write)


machine_info: dict[str, object] = {}
MAP_PAGE = 300  # the map endpoint's default page (`limit`); earlier runs fetched up to 1,000 points at once

if __name__ == "__main__":
    main()
