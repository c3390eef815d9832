"""Helpers for the deploy checks: rendering the chart, running checkov, the skip lists.

Everything here is offline: the Helm SDK (`helm-python-sdk`, Helm v4 as a C library loaded with ctypes)
renders without a cluster, kubernetes-validate ships the Kubernetes JSON schemas, and checkov runs with
`--skip-download` so it never calls its vendor's API.
"""

from __future__ import annotations

import fnmatch
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
CHART = REPO / "helm" / "smartcommune"
PRODUCTION_VALUES = REPO / "helm" / "ci" / "production-values.yaml"
TERRAFORM = REPO / "terraform"
RELEASE = "sc"
# The Kubernetes minor the chart is validated against: the EKS version in terraform/modules/kubernetes.
KUBE_VERSION = "1.32.0"

# Every optional component on, so checkov and the schema validation see every template.
ALL_FEATURES: dict[str, Any] = {
    "ingester": {"enabled": True},
    "cameraWorker": {"enabled": True, "siteCIDRs": ["10.200.0.0/16"]},
    "web": {"enabled": True},
    "metrics": {"serviceMonitor": {"enabled": True}},
    "pgbouncer": {"enabled": True, "database": {"host": "db.internal.example"}},
}


def production_values() -> dict[str, Any]:
    values: dict[str, Any] = yaml.safe_load(PRODUCTION_VALUES.read_text())
    return values


# Each render goes to its own namespace, so checkov's resource ids (Kind.namespace.name) tell them apart.
VALUE_SETS: dict[str, dict[str, Any] | None] = {
    "ci-defaults": None,
    "smartcommune": production_values(),
    "ci-all": ALL_FEATURES,
}


@dataclass(frozen=True)
class Render:
    namespace: str
    values: dict[str, Any] | None
    files: dict[str, str]  # template path -> rendered text
    docs: list[dict[str, Any]]  # every manifest (NOTES.txt excluded)

    def of_kind(self, kind: str) -> list[dict[str, Any]]:
        return [d for d in self.docs if d["kind"] == kind]

    def named(self, kind: str, name: str) -> dict[str, Any]:
        found = [d for d in self.of_kind(kind) if d["metadata"]["name"] == name]
        assert len(found) == 1, f"{kind}/{name}: {len(found)} found"
        return found[0]


def render_chart(values: dict[str, Any] | None, namespace: str) -> Render:
    import helm_python as helm

    with helm.Chart.load(CHART) as chart:
        files = chart.render(values=values, name=RELEASE, namespace=namespace, is_install=True)
    docs = [
        doc
        for path, text in sorted(files.items())
        if path.endswith((".yaml", ".yml"))
        for doc in yaml.safe_load_all(text)
        if doc
    ]
    return Render(namespace=namespace, values=values, files=files, docs=docs)


@dataclass(frozen=True)
class CheckovReport:
    passed: int
    failed: list[tuple[str, str]]  # (check id, resource id)
    parsing_errors: int


def run_checkov(directory: Path, framework: str) -> CheckovReport:
    checkov = Path(sys.executable).with_name("checkov")
    proc = subprocess.run(
        [str(checkov), "-d", str(directory), "--framework", framework, "-o", "json", "--quiet", "--skip-download"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    # Exit code 1 means "some check failed"; anything else (or no JSON) is a crash.
    assert proc.returncode in (0, 1), proc.stderr[-3000:]
    data = json.loads(proc.stdout) if proc.stdout.strip() else {}
    reports = data if isinstance(data, list) else [data]
    failed: list[tuple[str, str]] = []
    passed = errors = 0
    for report in reports:
        if not report:
            continue
        summary = report.get("summary", {})
        passed += summary.get("passed", 0)
        errors += summary.get("parsing_errors", 0)
        failed += [(f["check_id"], f["resource"]) for f in report.get("results", {}).get("failed_checks", [])]
    return CheckovReport(passed=passed, failed=failed, parsing_errors=errors)


@dataclass(frozen=True)
class Skip:
    check: str
    resources: list[str]
    reason: str

    def matches(self, check: str, resource: str) -> bool:
        return check == self.check and any(fnmatch.fnmatchcase(resource, p) for p in self.resources)


def load_skips(path: Path) -> list[Skip]:
    data = yaml.safe_load(path.read_text())
    return [
        Skip(check=s["check"], resources=list(s["resources"]), reason=str(s.get("reason", ""))) for s in data["skips"]
    ]
