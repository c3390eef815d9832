"""web/openapi.json, web/src/api/schema.d.ts and web/src/provider/provinces.json match the platform."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

WEB = Path(__file__).resolve().parents[2] / "web"

FIX = "run `make web-client` and commit web/openapi.json, web/src/api/schema.d.ts and web/src/provider/provinces.json"


def _same(committed: Path, fresh: Path) -> None:
    assert committed.exists(), f"{committed.relative_to(WEB.parent)} is missing: {FIX}"
    assert committed.read_text(encoding="utf-8") == fresh.read_text(encoding="utf-8"), (
        f"{committed.relative_to(WEB.parent)} is stale (the platform's API changed): {FIX}"
    )


def test_generated_client_is_fresh(tmp_path: Path, node_bin: Callable[[str], Path]) -> None:
    env = {**os.environ, "ENVIRONMENT": "test"}
    subprocess.run([sys.executable, str(WEB / "scripts" / "dump_openapi.py"), str(tmp_path)], check=True, env=env)
    _same(WEB / "openapi.json", tmp_path / "openapi.json")
    _same(WEB / "src" / "provider" / "provinces.json", tmp_path / "src" / "provider" / "provinces.json")
    schema = tmp_path / "schema.d.ts"
    subprocess.run(
        [str(node_bin("openapi-typescript")), str(tmp_path / "openapi.json"), "-o", str(schema), "--silent"],
        cwd=WEB,
        check=True,
        capture_output=True,
    )
    _same(WEB / "src" / "api" / "schema.d.ts", schema)
