"""Property-based fuzzing of the whole API with schemathesis, against the app's own OpenAPI document.

Every operation gets generated requests (valid and invalid by its schema) with the tokens of every role, on
the hosts of two fresh communes, and every response must be: no 5xx, a status the operation documents, the
documented content type, a body matching the documented schema. `make test` runs a small deterministic
budget (FUZZ_EXAMPLES per operation, default 4); `make fuzz` runs for FUZZ_SECONDS (default 600) with more
examples and prints the count of cases and any failure.

The fuzz communes are fresh (created here), so whatever the generated writes change (modules, settings,
roles) no other test sees it.
"""

from __future__ import annotations

import itertools
import os
import time
from collections import Counter
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import checks as st_checks
from schemathesis.core.failures import Failure, FailureGroup
from testsupport.fresh import fresh_commune

from smartcommune.tenants.authz.policy import COMMUNE_ROLES, PROVIDER_ROLES

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "4"))
PROGRESS = os.environ.get("FUZZ_PROGRESS")  # a file: one line per operation with its time
BUDGET_S = float(os.environ.get("FUZZ_SECONDS", "0"))  # 0: one pass over every operation
# Operations whose real effect would reach outside the test process or the fuzz communes.
SKIP = {
    ("POST", "/api/provider/v1/communes"),  # onboards official communes: real work per generated code
    ("POST", "/api/provider/v1/fleet/migrations"),  # migrates every commune of the test database
    ("POST", "/api/provider/v1/rollouts"),
    ("GET", "/api/v1/operations/stream"),  # server-sent events: the answer never ends
}
CHECKS = [
    st_checks.not_a_server_error,
    st_checks.status_code_conformance,
    st_checks.content_type_conformance,
    st_checks.response_schema_conformance,
]


@pytest.fixture(scope="module")
def fuzz_world(api: Any, kit: Any) -> dict[str, Any]:
    a, b = fresh_commune(), fresh_commune()
    commune_actors = [kit.make_commune_user(t, role) for t in (a, b) for role in COMMUNE_ROLES]
    provider_actors = [kit.make_provider_user(role) for role in PROVIDER_ROLES]
    for tenant in (a, b):
        kit.add_village(tenant)
    return {"communes": (a, b), "commune": commune_actors, "provider": provider_actors}


def _actors_for(path: str, world: dict[str, Any]) -> list[tuple[dict[str, str], str | None]]:
    """(headers, host) pairs to rotate through: tokens of each role, anonymous, both communes."""
    a, b = world["communes"]
    if path.startswith("/api/provider/"):
        return [(actor.auth, None) for actor in world["provider"]] + [({}, None)]
    if path.startswith("/auth/"):
        return [({}, None), ({}, f"{a.slug}.localhost")]
    pairs: list[tuple[dict[str, str], str | None]] = []
    for actor in world["commune"]:
        pairs.append((actor.auth, f"{actor.commune.slug}.localhost"))
    pairs.append(({}, f"{a.slug}.localhost"))
    pairs.append(({}, f"{b.slug}.localhost"))
    return pairs


def _describe(case: Any, response: Any, failure: BaseException) -> str:
    title = getattr(failure, "title", type(failure).__name__)
    body = response.text[:160].replace("\n", " ")
    return f"{case.method} {case.path} → {response.status_code}: {title} | {body}"


def _run_operation(api: Any, operation: Any, world: dict[str, Any], examples: int, stats: Counter[str]) -> list[str]:
    failures: list[str] = []
    rotation = itertools.cycle(_actors_for(operation.path, world))

    @given(case=operation.as_strategy())
    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=BUDGET_S == 0,  # CI: the same cases every run
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate],
        report_multiple_bugs=False,
    )
    def run(case: Any) -> None:
        headers, host = next(rotation)
        kwargs = case.as_transport_kwargs(base_url="http://testserver")
        sent = {k: v for k, v in (kwargs.pop("headers", None) or {}).items() if k.lower() != "host"}
        sent.update(headers)
        if host:
            sent["Host"] = host
        try:
            response = api.client.request(headers=sent, **kwargs)
        except (TypeError, AttributeError):  # httpx cannot encode it (a number as a multipart file)
            stats["unsendable"] += 1
            return
        stats["cases"] += 1
        stats[f"{response.status_code // 100}xx"] += 1
        try:
            response.request.read()  # multipart bodies are streamed; the checks read the request back
        except (TypeError, AttributeError):
            stats["unsendable"] += 1
            return
        try:
            case.validate_response(response, checks=CHECKS)
        except FailureGroup as group:
            for failure in group.exceptions:
                failures.append(_describe(case, response, failure))
        except Failure as failure:
            failures.append(_describe(case, response, failure))

    try:
        run()
    except Unsatisfiable:
        stats["unsatisfiable"] += 1
    return failures


def test_fuzz_every_operation(api: Any, fuzz_world: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMARTCOMMUNE_SWALLOW_ERRORS", "1")  # a 500 is a response to check, not a raise
    schema = schemathesis.openapi.from_dict(api.app.openapi())
    operations = [
        result.ok()
        for result in schema.get_all_operations()
        if (result.ok().method.upper(), result.ok().path) not in SKIP
    ]
    stats: Counter[str] = Counter()
    failures: list[str] = []
    started = time.monotonic()
    rounds = 0
    while True:
        rounds += 1
        for operation in operations:
            begun = time.monotonic()
            failures += _run_operation(api, operation, fuzz_world, EXAMPLES, stats)
            if PROGRESS:
                with open(PROGRESS, "a") as out:
                    out.write(f"{operation.method.upper()} {operation.path} {time.monotonic() - begun:.2f}s\n")
            if BUDGET_S and time.monotonic() - started > BUDGET_S:
                break
        if not BUDGET_S or time.monotonic() - started > BUDGET_S:
            break
    elapsed = time.monotonic() - started
    summary = f"fuzz: {len(operations)} operations, {rounds} round(s), {dict(stats)} in {elapsed:.0f} s"
    print(summary)
    unique = sorted(set(failures))
    for line in unique[:60]:
        print("  ", line)
    assert not unique, f"{summary}\n{len(unique)} failing cases:\n" + "\n".join(unique[:60])
