"""docs/scaling.md quotes our benchmark figures: they must match bench/results/*.json, and the doc must
cover each scale-out step the deployment relies on."""

from __future__ import annotations

import json

from deploy.deploy_support import REPO

DOC = REPO / "docs" / "scaling.md"


def results(name: str) -> dict[str, float]:
    lines = (REPO / "bench" / "results" / f"{name}.json").read_text().strip().splitlines()
    data: dict[str, float] = json.loads(lines[-1])
    return data


def test_covers_each_step() -> None:
    text = DOC.read_text()
    for phrase in (
        "pool_mode = transaction",
        "SET LOCAL",
        "LISTEN",
        "citus.enable_schema_based_sharding",
        "KEDA",
        "EMQX",
        "edge agent",
    ):
        assert phrase in text, phrase


def test_figures_match_the_benchmarks() -> None:
    text = DOC.read_text()
    rollout, migrate, requests, authz = (results(n) for n in ("rollout", "migrate", "requests", "authz"))
    expected = [
        f"{rollout['total_s'] / 60:.1f} min",
        f"p95 {rollout['per_commune_p95_s']:g} s",
        f"{rollout['relations']:,} relations",
        f"{migrate['add_column_s']:g} s",
        f"{requests['tenancy_overhead_p95_ms']:g} ms",
        f"{requests['full_rps']:g} req/s",
        f"{authz['policy_load_s']:g} s",
    ]
    telemetry = results("telemetry")
    expected += [
        f"{telemetry['sustained_msg_per_s']:g} msg/s",
        f"{telemetry['drain_msg_per_s']:g} msg/s",
        f"{telemetry['command_rtt_p95_ms']:g} ms",
    ]
    missing = [figure for figure in expected if figure not in text]
    assert missing == []
