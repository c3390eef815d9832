"""`smartcommune rollout`: dry run changes nothing; a manifest run prints the final report; bad rows listed."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from smartcommune.provisioning.cli.app import build_cli
from smartcommune.tenants import registry
from smartcommune.tenants.database import owner_engine
from smartcommune.tenants.errors import NotFound

pytestmark = pytest.mark.usefixtures("no_stripe")

MANIFEST = """code,slug,template,admin_name,admin_phone,admin_email
19075,nam-ba-don,agri-specialty,Võ Thị Lan,0911000011,lan@nambadon.gov.vn
12345678,sai-ma,base,Sai Mã,,
"""


def _cli():  # type: ignore[no-untyped-def]
    return build_cli(create_app=lambda: None, celery_app=None)


def test_rollout_manifest_dry_run_then_real(database_url: str, tmp_path: Path) -> None:
    path = tmp_path / "communes.csv"
    path.write_text(MANIFEST, encoding="utf-8")
    runner = CliRunner()
    dry = runner.invoke(_cli(), ["rollout", "--manifest", str(path), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "1 xã mới / new" in dry.output and "row 3" in dry.output
    assert "template agri-specialty v3" in dry.output and "production_log_types 5" in dry.output
    try:
        registry.get_commune(owner_engine(), 19075)
        raise AssertionError("a dry run created the commune")
    except NotFound:
        pass
    real = runner.invoke(_cli(), ["rollout", "--manifest", str(path), "--concurrency", "1"])
    assert real.exit_code == 1, real.output  # a rejected row makes the exit code non-zero
    assert "thành công / succeeded" in real.output and "row 3" in real.output
    assert registry.get_commune(owner_engine(), 19075).template == "agri-specialty"
    again = runner.invoke(_cli(), ["rollout", "--manifest", str(path), "--dry-run"])
    assert "1 bỏ qua / skipped" in again.output, again.output
