"""terraform/: every .tf parses (python-hcl2), the modules exist with pinned providers, and the example
environment wires each module and the Helm release of the chart. (No `terraform` binary: it is not on
a package registry this machine reaches, so `terraform validate` cannot run; checkov is in test_checkov.py.)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from deploy.deploy_support import REPO, TERRAFORM

hcl2 = pytest.importorskip("hcl2")

MODULES = ("network", "kubernetes", "postgres", "redis", "object_storage", "dns")
ENVIRONMENT = TERRAFORM / "environments" / "production"


def unwrap(node: Any) -> Any:
    """python-hcl2 wraps attribute values in one-element lists (and blocks in lists): unwrap both."""
    if isinstance(node, list):
        items = [unwrap(n) for n in node]
        return items[0] if len(items) == 1 and not isinstance(items[0], dict) else items
    if isinstance(node, dict):
        return {k: unwrap(v) for k, v in node.items() if not k.startswith("__")}
    if isinstance(node, str) and len(node) >= 2 and node[0] == node[-1] == '"':
        return node[1:-1]
    return node


def parse(path: Path) -> dict[str, Any]:
    with path.open() as fh:
        parsed: dict[str, Any] = unwrap(hcl2.load(fh))
    return parsed


def tf_files() -> list[Path]:
    return sorted(TERRAFORM.rglob("*.tf"))


def test_there_are_terraform_files() -> None:
    assert len(tf_files()) >= len(MODULES) + 1


@pytest.mark.parametrize("path", tf_files(), ids=lambda p: str(p.relative_to(TERRAFORM)))
def test_parses(path: Path) -> None:
    parsed = parse(path)
    assert parsed


def blocks(parsed: dict[str, Any], kind: str) -> dict[str, Any]:
    found = parsed.get(kind, [])
    merged: dict[str, Any] = {}
    for block in found if isinstance(found, list) else [found]:
        merged.update(block)
    return merged


@pytest.mark.parametrize("module", MODULES)
def test_module_pins_its_providers(module: str) -> None:
    parsed = parse(TERRAFORM / "modules" / module / "main.tf")
    settings = blocks(parsed, "terraform")
    providers = blocks(settings, "required_providers")
    assert providers, module
    for name, spec in providers.items():
        spec = spec[0] if isinstance(spec, list) else spec
        assert spec["version"].startswith("~>"), (module, name)
    assert parsed.get("resource"), module


def test_environment_wires_every_module_and_the_chart() -> None:
    parsed = parse(ENVIRONMENT / "main.tf")
    modules = blocks(parsed, "module")
    assert set(modules) == set(MODULES)
    for name, spec in modules.items():
        source = (ENVIRONMENT / spec["source"]).resolve()
        assert source == (TERRAFORM / "modules" / name).resolve()
    releases = blocks(parsed, "resource")["helm_release"]
    release = releases["smartcommune"]
    assert "helm/smartcommune" in release["chart"]
    assert "production-values.yaml" in str(release["values"])
    assert (REPO / "helm" / "smartcommune" / "Chart.yaml").exists()
    # PgBouncer's upstream is the RDS instance itself (not RDS Proxy: it pins sessions on SET).
    sets = {s["name"]: s["value"] for s in release["set"]}
    assert "module.postgres.address" in sets["pgbouncer.database.host"]


def test_no_literal_secrets() -> None:
    for path in tf_files():
        text = path.read_text()
        for word in ("password =", 'auth_token = "', "secret_key"):
            assert word not in text, (path, word)
    postgres = blocks(parse(TERRAFORM / "modules" / "postgres" / "main.tf"), "resource")["aws_db_instance"]["this"]
    assert postgres["manage_master_user_password"] is True
    assert postgres["storage_encrypted"] is True
    assert postgres["publicly_accessible"] is False
