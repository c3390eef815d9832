"""checkov on the rendered chart and on terraform/, with no skip passed to checkov itself.

Every failed check must match an entry of the skip list next to the code (helm/checkov-skips.yaml,
terraform/checkov-skips.yaml), each with a written reason; every entry must still match a failure, so
the lists cannot go stale. checkov runs once per target (session fixtures in conftest.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from deploy.deploy_support import REPO, CheckovReport, Skip, load_skips

pytest.importorskip("checkov")

TARGETS = {"chart": REPO / "helm" / "checkov-skips.yaml", "terraform": REPO / "terraform" / "checkov-skips.yaml"}


def check(report: CheckovReport, skips_file: Path) -> None:
    skips: list[Skip] = load_skips(skips_file)
    for skip in skips:
        assert len(skip.reason) > 40, f"{skip.check}: write down why"
    assert report.parsing_errors == 0
    assert report.passed > 50, "checkov checked (almost) nothing"
    unjustified = sorted({(c, r) for c, r in report.failed if not any(s.matches(c, r) for s in skips)})
    assert unjustified == [], "failed checks without a skip entry"
    stale = [s.check for s in skips if not any(s.matches(c, r) for c, r in report.failed)]
    assert stale == [], "skip entries that no longer match a failure"


def test_chart(checkov_chart: CheckovReport) -> None:
    check(checkov_chart, TARGETS["chart"])


def test_terraform(checkov_terraform: CheckovReport) -> None:
    check(checkov_terraform, TARGETS["terraform"])
