"""Request latency of one read endpoint (list a commune's ~20 villages) with and without the tenancy path.

Three cases, all served by one real uvicorn server (one worker, 127.0.0.1) running the real app from
`create_app()` with two bench-only routes added, driven by httpx over keep-alive from this process:

  off      `GET /bench/off/villages`, Host 127.0.0.1 (the resolver resolves nothing): a plain SQLAlchemy
           session on the owner engine, the commune's `villages` table schema-qualified through
           `schema_translate_map`; no tenant, no SET LOCAL, no token.
  tenancy  `GET /bench/tenancy/villages` on `<slug>.localhost`: resolver (TTL cache) → `request_tenant` →
           `tenant_db` (SET LOCAL ROLE + search_path) → query. No token, no casbin.
  full     `GET /api/v1/villages` on `<slug>.localhost` with a commune official's bearer token: the real
           route — resolver → token validation → membership → casbin → tenant session → query.

All three share the middleware stack (request id, metrics, tenant resolution), the dependency style (a
sync generator yielding the session), the query, and the response model (`list[VillageOut]`), so
`tenancy − off` is the tenancy cost and `full − tenancy` the authentication + authorization cost.
Sequential runs interleave the cases in blocks, so drift hits all three alike; then a short concurrent
run (N client threads). Done with 10 communes in the fleet, then again with 3,321 (server restarted),
every commune holding 30 casbin role assignments (so the policy grows with the fleet as in production).

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/requests.py
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

# This file is named `requests`: never let it shadow the `requests` library (python-keycloak imports it).
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
_spec = importlib.util.spec_from_file_location("_bench_common", _HERE / "_common.py")
assert _spec is not None and _spec.loader is not None
_common = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_common)
bench_database, finish, machine, summary = _common.bench_database, _common.finish, _common.machine, _common.summary

VILLAGES = 20
BLOCK = 20  # sequential runs alternate the cases every BLOCK requests
USERS_PER_COMMUNE = 30  # casbin role assignments per commune, so the policy grows with the fleet
CASES = ("off", "tenancy", "full")


# --------------------------------------------------------------------------------------------- server side


def build_app(schema: str) -> Any:
    """The real app plus the two bench-only routes (same query, same response model)."""
    from fastapi import Depends
    from sqlalchemy.orm import Session

    from smartcommune.main import create_app
    from smartcommune.platform.http.auth import tenant_db
    from smartcommune.platform.villages import repository
    from smartcommune.platform.villages.schemas import VillageOut
    from smartcommune.tenants.database import owner_engine
    from smartcommune.tenants.session import TenantSession, unit_of_work

    app = create_app()
    plain = owner_engine().execution_options(schema_translate_map={None: schema})

    def plain_db() -> Iterator[Session]:
        """What a single-tenant app would do: one session per request, committed at the boundary."""
        with unit_of_work(Session(plain, expire_on_commit=False)) as session:
            yield session

    @app.get("/bench/off/villages", response_model=list[VillageOut], include_in_schema=False)
    def off_villages(db: Session = Depends(plain_db)) -> list[VillageOut]:
        return [VillageOut.model_validate(v) for v in repository.list_villages(db)]

    @app.get("/bench/tenancy/villages", response_model=list[VillageOut], include_in_schema=False)
    def tenancy_villages(db: TenantSession = Depends(tenant_db)) -> list[VillageOut]:
        return [VillageOut.model_validate(v) for v in repository.list_villages(db)]

    return app


def serve(port: int, schema: str, profile: str | None) -> None:
    import uvicorn

    app = build_app(schema)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, workers=1, log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    if not profile:
        server.run()
        return
    import cProfile

    # The sync route parts run in anyio's worker threads: profile every thread (Python 3.12+), else this one.
    profiler = cProfile.Profile()
    try:
        profiler.enable()
        server.run()
    finally:
        profiler.disable()
        profiler.dump_stats(profile)


class Server:
    """`python bench/requests.py --serve` in a subprocess: a real uvicorn on 127.0.0.1."""

    def __init__(self, port: int, schema: str, profile: str | None = None) -> None:
        env = dict(os.environ, LOG_LEVEL="WARNING", ENVIRONMENT="bench", PYTHONUNBUFFERED="1")
        cmd = [sys.executable, str(Path(__file__).resolve()), "--serve", "--port", str(port), "--schema", schema]
        if profile:
            cmd += ["--profile", profile]
        self.port = port
        self.proc = subprocess.Popen(cmd, env=env)

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
        self.proc.terminate()  # SIGTERM: uvicorn shuts down gracefully (a profile gets written)
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


# --------------------------------------------------------------------------------------------- client side


class Target:
    def __init__(self, port: int, slug: str, token: str) -> None:
        tenant_host = f"{slug}.localhost"
        self.base = f"http://127.0.0.1:{port}"
        self.requests: dict[str, tuple[str, dict[str, str]]] = {
            "off": ("/bench/off/villages", {"host": "127.0.0.1"}),
            "tenancy": ("/bench/tenancy/villages", {"host": tenant_host}),
            "full": ("/api/v1/villages", {"host": tenant_host, "authorization": f"Bearer {token}"}),
        }

    def client(self) -> Any:
        import httpx

        return httpx.Client(base_url=self.base, timeout=10.0)

    def call(self, client: Any, case: str) -> float:
        path, headers = self.requests[case]
        t0 = time.perf_counter()
        response = client.get(path, headers=headers)
        elapsed = time.perf_counter() - t0
        if response.status_code != 200:
            raise RuntimeError(f"{case}: {response.status_code} {response.text[:300]}")
        return elapsed


def check(target: Target) -> None:
    """All three cases answer 200 with the same 20 villages."""
    with target.client() as client:
        bodies = {}
        for case in CASES:
            path, headers = target.requests[case]
            response = client.get(path, headers=headers)
            assert response.status_code == 200, (case, response.status_code, response.text[:300])
            bodies[case] = response.json()
            assert isinstance(bodies[case], list) and len(bodies[case]) == VILLAGES, (case, bodies[case])
        assert bodies["off"] == bodies["tenancy"] == bodies["full"]


def sequential(target: Target, n: int, warmup: int) -> dict[str, list[float]]:
    """Each case `warmup` untimed then `n` timed requests, the cases alternating every BLOCK requests."""
    times: dict[str, list[float]] = {case: [] for case in CASES}
    with target.client() as client:
        for case in CASES:
            for _ in range(warmup):
                target.call(client, case)
        while any(len(v) < n for v in times.values()):
            for case in CASES:
                for _ in range(min(BLOCK, n - len(times[case]))):
                    times[case].append(target.call(client, case))
    return times


def concurrent(target: Target, case: str, threads: int, n: int) -> tuple[list[float], float]:
    """`threads` clients (one keep-alive connection each) sharing `n` requests; latencies and wall time."""
    per_thread = n // threads
    results: list[list[float]] = [[] for _ in range(threads)]
    barrier = threading.Barrier(threads + 1)

    def worker(i: int) -> None:
        with target.client() as client:
            for _ in range(20):
                target.call(client, case)
            barrier.wait()
            results[i] = [target.call(client, case) for _ in range(per_thread)]

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for t in pool:
        t.start()
    barrier.wait()
    t0 = time.perf_counter()
    for t in pool:
        t.join()
    wall = time.perf_counter() - t0
    return [x for r in results for x in r], wall


def ms(seconds: float) -> float:
    return round(seconds * 1000, 3)


def measure(target: Target, args: argparse.Namespace, fleet: int) -> dict[str, Any]:
    check(target)
    seq = sequential(target, args.requests, args.warmup)
    out: dict[str, Any] = {}
    print(f"\nfleet {fleet}: sequential, {args.requests} requests per case after {args.warmup} warm-up, keep-alive")
    for case in CASES:
        s = summary(seq[case])
        rps = len(seq[case]) / sum(seq[case])
        out[case] = {"p50": s["p50"], "p95": s["p95"], "p99": s["p99"], "mean": s["mean"], "rps": rps}
        print(
            f"  {case:<8} p50 {ms(s['p50']):7.3f} ms  p95 {ms(s['p95']):7.3f} ms  p99 {ms(s['p99']):7.3f} ms  "
            f"mean {ms(s['mean']):7.3f} ms  {rps:7.0f} req/s"
        )
    print(f"fleet {fleet}: concurrent, {args.threads} client threads, {args.concurrent} requests per case")
    for case in CASES:
        lat, wall = concurrent(target, case, args.threads, args.concurrent)
        s = summary(lat)
        rps = len(lat) / wall
        out[case].update(c_p50=s["p50"], c_p95=s["p95"], c_p99=s["p99"], c_rps=rps)
        print(
            f"  {case:<8} p50 {ms(s['p50']):7.3f} ms  p95 {ms(s['p95']):7.3f} ms  p99 {ms(s['p99']):7.3f} ms  "
            f"{rps:7.0f} req/s"
        )
    tenancy = out["tenancy"]["p95"] - out["off"]["p95"]
    auth = out["full"]["p95"] - out["tenancy"]["p95"]
    print(
        f"fleet {fleet}: p95 overhead: tenancy {ms(tenancy):.3f} ms (tenancy − off), "
        f"auth {ms(auth):.3f} ms (full − tenancy), full {ms(out['full']['p95'] - out['off']['p95']):.3f} ms "
        f"(full − off); p50 tenancy overhead {ms(out['tenancy']['p50'] - out['off']['p50']):.3f} ms"
    )
    return out


# --------------------------------------------------------------------------------------------- setup


def seed(slug_code: int) -> tuple[Any, str]:
    """The measured commune: ~20 villages, and an official (casbin assignment) with a token."""
    from smartcommune.platform.identity.accounts import create_account
    from smartcommune.platform.villages.models import Village
    from smartcommune.provisioning.cli.system import SYSTEM
    from smartcommune.tenants.authz.service import assign_role
    from smartcommune.tenants.database import app_engine, owner_engine
    from smartcommune.tenants.principal import COMMUNE_REALM
    from smartcommune.tenants.registry import create_commune
    from smartcommune.tenants.session import tenant_transaction

    tenant = create_commune(owner_engine(), slug_code).tenant
    with tenant_transaction(tenant) as db:
        for n in range(1, VILLAGES + 1):
            db.add(Village(code=f"T{n:02d}", name=f"Thôn số {n}", kind="thon", population=300 + 17 * n))
    account = create_account(
        app_engine(), realm=COMMUNE_REALM, username="bench.canbo", commune_code=tenant.commune_code
    )
    assign_role(app_engine(), SYSTEM, tenant.commune_code, f"user:{account}", "commune_official")
    return tenant, str(account)


def grow_fleet(codes: list[int], have: int, size: int) -> int:
    """Communes up to `size`, each with USERS_PER_COMMUNE role assignments (one bulk write per 250)."""
    import uuid

    from smartcommune.tenants.authz.model import g_rule
    from smartcommune.tenants.authz.store import add_rules
    from smartcommune.tenants.database import owner_engine
    from smartcommune.tenants.registry import create_commune

    engine = owner_engine()
    roles = ["commune_admin"] + ["commune_official"] * 9 + ["village_head"] * (USERS_PER_COMMUNE - 10)
    t0 = time.perf_counter()
    start = have
    assignments: list[tuple[str, ...]] = []
    while have < size:
        code = create_commune(engine, codes[have]).tenant.commune_code
        assignments += [g_rule(f"user:{uuid.uuid4()}", role, str(code)) for role in roles]
        have += 1
        if have % 250 == 0 or have == size:
            add_rules(engine, assignments)
            assignments = []
            rate = (have - start) / (time.perf_counter() - t0)
            print(f"  fleet {have:>5}/{size}  ({rate:.0f} communes/s)", flush=True)
    return have


def run_fleet(fleet: int, tenant: Any, account: str, args: argparse.Namespace) -> dict[str, Any]:
    import uuid

    from smartcommune.platform.identity.accounts import issue_token_for

    token = issue_token_for(uuid.UUID(account))  # fresh per phase: the default lifetime is 15 min
    server = Server(free_port(), tenant.schema_name, args.profile and f"{args.profile}.{fleet}")
    try:
        server.wait_ready()
        return measure(Target(server.port, tenant.slug, token), args, fleet)
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--fleets", default="10,3321")
    parser.add_argument("--requests", type=int, default=2000, help="timed sequential requests per case")
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--concurrent", type=int, default=2000, help="requests per case in the concurrent run")
    parser.add_argument("--profile", default="", help="write the server's cProfile stats to <this>.<fleet>")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--schema", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.port, args.schema, args.profile or None)
        return

    from smartcommune.tenants.authz.authorizer import reset_enforcer
    from smartcommune.tenants.official_list import all_communes

    fleets = [int(s) for s in args.fleets.split(",")]
    codes = [c.code for c in all_communes()]
    results: dict[int, dict[str, Any]] = {}
    with bench_database():
        print("machine:", machine())
        tenant, account = seed(codes[0])
        print(f"measured commune: {tenant.name} ({tenant.commune_code}), slug {tenant.slug}, {VILLAGES} villages")
        have = 1
        for fleet in fleets:
            print(f"growing the fleet to {fleet} communes (registry.create_commune on the owner engine)")
            have = grow_fleet(codes, have, fleet)
            results[fleet] = run_fleet(fleet, tenant, account, args)
        reset_enforcer()  # seeding started this process's policy watcher; stop it before the database goes

    small, large = fleets[0], fleets[-1]
    r = results[large]
    print(f"\nsummary (sequential p95, fleet {large} unless said):")
    figures: dict[str, Any] = {
        "fleet_small": small,
        "fleet_large": large,
        "requests_per_case": args.requests,
        "concurrent_threads": args.threads,
    }
    for fleet in fleets:
        for case in CASES:
            for key in ("p50", "p95", "p99"):
                figures[f"at_{fleet}_{case}_{key}_ms"] = ms(results[fleet][case][key])
            figures[f"at_{fleet}_{case}_rps"] = round(results[fleet][case]["rps"])
            figures[f"at_{fleet}_{case}_concurrent_p95_ms"] = ms(results[fleet][case]["c_p95"])
            figures[f"at_{fleet}_{case}_concurrent_rps"] = round(results[fleet][case]["c_rps"])
    figures.update(
        off_p95_ms=ms(r["off"]["p95"]),
        tenancy_p95_ms=ms(r["tenancy"]["p95"]),
        full_p95_ms=ms(r["full"]["p95"]),
        tenancy_overhead_p95_ms=ms(r["tenancy"]["p95"] - r["off"]["p95"]),
        auth_overhead_p95_ms=ms(r["full"]["p95"] - r["tenancy"]["p95"]),
        full_overhead_p95_ms=ms(r["full"]["p95"] - r["off"]["p95"]),
        tenancy_overhead_p95_ms_at_small=ms(results[small]["tenancy"]["p95"] - results[small]["off"]["p95"]),
        p95_ratio_large_vs_small_full=round(r["full"]["p95"] / results[small]["full"]["p95"], 3),
        p95_ratio_large_vs_small_tenancy=round(r["tenancy"]["p95"] / results[small]["tenancy"]["p95"], 3),
        full_rps=round(r["full"]["rps"]),
        full_concurrent_rps=round(r["full"]["c_rps"]),
    )
    if (small, large) == (10, 3321):
        figures["p95_ratio_3321_vs_10"] = figures["p95_ratio_large_vs_small_full"]
    for key in (
        "off_p95_ms",
        "tenancy_p95_ms",
        "full_p95_ms",
        "tenancy_overhead_p95_ms",
        "auth_overhead_p95_ms",
        "tenancy_overhead_p95_ms_at_small",
        "p95_ratio_large_vs_small_full",
        "p95_ratio_large_vs_small_tenancy",
        "full_rps",
        "full_concurrent_rps",
    ):
        print(f"  {key:<36} {figures[key]}")
    over = figures["tenancy_overhead_p95_ms"]
    ratio = figures["p95_ratio_large_vs_small_full"]
    print(f"  target tenancy overhead p95 < 1 ms: {'met' if over < 1 else 'MISSED'} ({over} ms)")
    print(f"  target p95 at {large} within 10% of {small}: {'met' if ratio <= 1.10 else 'MISSED'} (×{ratio})")
    finish("requests", figures, write=not args.no_write)


if __name__ == "__main__":
    main()
