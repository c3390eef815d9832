"""Session fixtures for the deploy checks: the chart rendered once per values set, checkov once per target."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from deploy.deploy_support import TERRAFORM, VALUE_SETS, CheckovReport, Render, render_chart, run_checkov


@pytest.fixture(scope="session")
def renders() -> dict[str, Render]:
    return {ns: render_chart(values, ns) for ns, values in VALUE_SETS.items()}


@pytest.fixture(scope="session")
def rendered_dir(renders: dict[str, Render], tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("rendered")
    for ns, render in renders.items():
        (out / f"{ns}.yaml").write_text(yaml.safe_dump_all(render.docs, sort_keys=False))
    return out


@pytest.fixture(scope="session")
def checkov_chart(rendered_dir: Path) -> CheckovReport:
    return run_checkov(rendered_dir, "kubernetes")


@pytest.fixture(scope="session")
def checkov_terraform() -> CheckovReport:
    return run_checkov(TERRAFORM, "terraform")
