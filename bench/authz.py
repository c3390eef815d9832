"""casbin authorization at fleet size: 3,321 communes × 30 users, policy load time and check latency.

Builds the policy straight into `control.casbin_rule` (COPY; no commune schemas are created): the
shared catalogue once, 30 role assignments per commune, and one commune-defined role per commune
(3 rules each, domain = that commune). Then measures:
  - policy load: a new `CommuneEnforcer` (one SELECT + index build), several runs;
  - `is_allowed` latency over a request mix (staff, residents, cross-commune, provider staff);
  - the same kind of request through casbin's own matcher (`casbin_enforce`), for comparison;
  - watcher propagation: commit on one connection until another enforcer allows the request.
Prints figures, the machine, and as its LAST line one JSON object.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/authz.py
"""

from __future__ import annotations

import io
import json
import os
import platform
import random
import statistics
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from sqlalchemy.engine import make_url

DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
COMMUNES = int(os.environ.get("BENCH_COMMUNES", "3321"))
USERS = 30
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "50000"))
CASBIN_SAMPLES = 200
LOAD_RUNS = 5
PROPAGATION_SAMPLES = 20
# User index → role inside each commune; users 15–24 hold the commune's own role.
STAFF_ROLES = ["commune_admin"] + ["commune_official"] * 4 + ["village_head"] * 10 + ["thu_quy"] * 10
STAFF_ROLES += ["commune_official"] * (USERS - len(STAFF_ROLES))
Request = tuple[str, Any, int | None, str, str]  # kind, Principal, commune code, object, action
CUSTOM_ROLE = [("fees", "*"), ("reports", "read"), ("dashboard", "read")]


def _libpq(url: str, database: str | None = None) -> str:
    u = make_url(url.replace("postgresql+psycopg://", "postgresql://"))
    if database:
        u = u.set(database=database)
    return u.render_as_string(hide_password=False)


@contextmanager
def bench_database() -> Iterator[str]:
    """A throwaway database on DATABASE_URL's server, bootstrapped to the control head (as tests do)."""
    from smartcommune.tenants.bootstrap import bootstrap
    from smartcommune.tenants.database import owner_engine, reset_engines
    from smartcommune.tenants.migrations.runtime import reset_caches

    server = os.environ.get("DATABASE_URL") or DEFAULT_SERVER
    name = f"sc_bench_authz_{uuid.uuid4().hex[:8]}"
    admin = _libpq(server, "postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    previous = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = _libpq(server, name)
    reset_engines()
    reset_caches()
    try:
        bootstrap(owner_engine())
        yield os.environ["DATABASE_URL"]
    finally:
        reset_engines()
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            roles = conn.execute("SELECT rolname FROM pg_roles WHERE rolname LIKE %s", (name + "\\_%",))
            for (role,) in roles.fetchall():
                conn.execute(f'DROP ROLE IF EXISTS "{role}"')
        if previous is None:
            os.environ.pop("DATABASE_URL", None)
        else:
            os.environ["DATABASE_URL"] = previous


def commune_codes(n: int) -> list[int]:
    from smartcommune.tenants.official_list import all_communes

    codes = sorted(c.code for c in all_communes())[:n]
    return codes + list(range(900000, 900000 + n - len(codes)))


def write_policy(url: str, codes: list[int]) -> int:
    """COPY every line in one go; returns the row count."""
    from smartcommune.tenants.authz.policy import shared_rules

    buf = io.StringIO()
    rows = 0
    for rule in shared_rules():
        buf.write("\t".join(rule + ("",) * (5 - len(rule))) + "\n")
        rows += 1
    for code in codes:
        dom = str(code)
        for obj, act in CUSTOM_ROLE:
            buf.write(f"p\tthu_quy\t{dom}\t{obj}\t{act}\n")
            rows += 1
        for i, role in enumerate(STAFF_ROLES):
            buf.write(f"g\tuser:{code}-{i}\t{role}\t{dom}\t\n")
            rows += 1
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        with cur.copy("COPY control.casbin_rule (ptype, v0, v1, v2, v3) FROM STDIN") as copy:
            copy.write(buf.getvalue())
        cur.execute("ANALYZE control.casbin_rule")
    return rows


def percentiles(samples_s: list[float]) -> dict[str, float]:
    ms = sorted(s * 1000 for s in samples_s)
    pick = lambda q: ms[min(len(ms) - 1, int(q * len(ms)))]  # noqa: E731
    return {
        "p50": round(pick(0.50), 4),
        "p95": round(pick(0.95), 4),
        "p99": round(pick(0.99), 4),
        "max": round(ms[-1], 4),
        "mean": round(statistics.fmean(ms), 4),
    }


def request_mix(codes: list[int], n: int, rng: random.Random) -> list[Request]:
    from smartcommune.tenants.authz.policy import OBJECTS
    from smartcommune.tenants.principal import COMMUNE_REALM, PROVIDER_REALM, Principal

    out: list[Request] = []
    for _ in range(n):
        code = rng.choice(codes)
        obj, act = rng.choice(OBJECTS), rng.choice(("read", "write"))
        kind = rng.random()
        if kind < 0.5:  # commune staff in their own commune
            p = Principal(f"{code}-{rng.randrange(USERS)}", COMMUNE_REALM, organizations=(str(code),))
            out.append(("staff", p, code, obj, act))
        elif kind < 0.8:  # a resident (no assignment line)
            p = Principal(uuid.uuid4().hex, COMMUNE_REALM, organizations=(str(code),))
            out.append(("resident", p, code, obj, act))
        elif kind < 0.9:  # a commune token asking about another commune
            p = Principal(f"{code}-{rng.randrange(USERS)}", COMMUNE_REALM, organizations=(str(code),))
            other = rng.choice([c for c in rng.sample(codes, 2) if c != code])
            out.append(("cross", p, other, obj, act))
        else:  # provider staff, provider-level or commune route
            role = rng.choice(("provider_admin", "provider_operator"))
            p = Principal(uuid.uuid4().hex, PROVIDER_REALM, realm_roles=(role,))
            out.append(("provider", p, rng.choice((None, code)), obj, act))
    return out


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def main() -> None:
    from smartcommune.tenants.authz import CommuneEnforcer, PolicyAdapter, PolicyWatcher, is_allowed
    from smartcommune.tenants.authz.model import g_rule
    from smartcommune.tenants.authz.store import add_rules, fetch_rules
    from smartcommune.tenants.authz.watcher import libpq_dsn
    from smartcommune.tenants.database import owner_engine

    uname = platform.uname()
    print(
        f"machine: {uname.system} {uname.release} {uname.machine} | cpus={os.cpu_count()} | "
        f"python {platform.python_version()}"
    )
    rng = random.Random(2025)
    with bench_database() as url:
        with psycopg.connect(url) as conn:
            row = conn.execute("SHOW server_version").fetchone()
        print(f"postgres {row[0] if row else '?'} at {make_url(url).host or 'socket'}")
        codes = commune_codes(COMMUNES)
        write_s, rows = timed(lambda: write_policy(url, codes))
        print(f"policy rows: {rows:,} ({len(codes):,} communes × {USERS} users; COPY {write_s:.2f} s)")

        engine = owner_engine()
        with engine.connect() as conn:
            select_s, _ = timed(lambda: fetch_rules(conn))
        loads = []
        for _ in range(LOAD_RUNS):
            start = time.perf_counter()
            enforcer = CommuneEnforcer(PolicyAdapter(engine))
            loads.append(time.perf_counter() - start)
        counts = enforcer.counts()
        print(
            f"policy load: median {statistics.median(loads):.3f} s, best {min(loads):.3f} s, "
            f"worst {max(loads):.3f} s (the SELECT alone {select_s:.3f} s) "
            f"→ p={counts['p']:,} g={counts['g']:,}"
        )

        mix = request_mix(codes, REQUESTS, rng)
        for _kind, p, code, obj, act in mix[:2000]:  # warm up
            is_allowed(p, code, obj, act, enforcer=enforcer)
        by_kind: dict[str, list[float]] = {}
        samples: list[float] = []
        allowed = 0
        clock = time.perf_counter
        for kind, p, code, obj, act in mix:
            start = clock()
            ok = is_allowed(p, code, obj, act, enforcer=enforcer)
            elapsed = clock() - start
            samples.append(elapsed)
            by_kind.setdefault(kind, []).append(elapsed)
            allowed += ok
            if kind == "cross":
                assert not ok, "cross-commune allow"
        overall = percentiles(samples)
        print(f"is_allowed over {len(samples):,} requests ({allowed / len(samples):.0%} allowed): {overall}")
        for kind, values in sorted(by_kind.items()):
            print(f"  {kind:9s} n={len(values):6,d} {percentiles(values)}")

        raw = []
        for _kind, p, code, obj, act in mix[:CASBIN_SAMPLES]:
            dom = str(code) if code is not None else "*"
            sub = p.casbin_subject
            fast = enforcer.enforce(sub, dom, obj, act)
            start = time.perf_counter()
            slow = enforcer.casbin_enforce(sub, dom, obj, act)
            slow_s = time.perf_counter() - start
            assert fast == slow, (sub, dom, obj, act)
            raw.append(slow_s)
        casbin_pct = percentiles(raw)
        print(
            f"casbin's own matcher over all {counts['p']:,} p lines "
            f"({CASBIN_SAMPLES} requests, same answers): {casbin_pct}"
        )

        other = CommuneEnforcer(PolicyAdapter(engine), load=False)
        watcher = PolicyWatcher(libpq_dsn(engine), other)
        assert watcher.start(wait_s=60)
        propagation = []
        for i in range(PROPAGATION_SAMPLES):
            user, dom = f"user:bench-new-{i}", str(codes[i])
            start = time.perf_counter()
            add_rules(engine, [g_rule(user, "commune_admin", dom)])
            while not other.enforce(user, dom, "users", "write"):
                if time.perf_counter() - start > 10:
                    raise SystemExit("watcher did not deliver within 10 s")
                time.sleep(0.0005)
            propagation.append(time.perf_counter() - start)
        watcher.stop()
        prop = percentiles(propagation)
        print(f"watcher propagation (commit → other enforcer allows), {PROPAGATION_SAMPLES} writes: {prop}")

    result = {
        "communes": len(codes),
        "users_per_commune": USERS,
        "policy_rows": rows,
        "p_rows": counts["p"],
        "g_rows": counts["g"],
        "policy_load_s": round(statistics.median(loads), 3),
        "policy_load_best_s": round(min(loads), 3),
        "enforce_requests": len(samples),
        "enforce_p50_ms": overall["p50"],
        "enforce_p95_ms": overall["p95"],
        "enforce_p99_ms": overall["p99"],
        "enforce_max_ms": overall["max"],
        "casbin_matcher_p50_ms": casbin_pct["p50"],
        "casbin_matcher_p99_ms": casbin_pct["p99"],
        "watcher_propagation_p50_ms": prop["p50"],
        "cpus": os.cpu_count(),
        "machine": f"{uname.system} {uname.release} {uname.machine}",
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
