"""Shared fixtures of the web tests: the web/ project, its node_modules, a fresh build of the three apps."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
WEB = REPO / "web"


def _node_bin(name: str) -> Path:
    """A tool from web/node_modules/.bin; fails with the command to run when the dependencies are missing."""
    if shutil.which("node") is None:
        pytest.fail("node is not installed: the web tests need Node.js 20+ (see web/README.md)")
    tool = WEB / "node_modules" / ".bin" / name
    if not tool.exists():
        pytest.fail(f"{tool} is missing: run `make web-deps` (npm ci in web/)")
    return tool


@pytest.fixture(scope="session")
def node_bin() -> Callable[[str], Path]:
    return _node_bin


@pytest.fixture(scope="session")
def web_dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The three apps built from the current sources into a temporary directory (vite build, ~2 s)."""
    out = tmp_path_factory.mktemp("web-dist")
    subprocess.run(
        [str(_node_bin("vite")), "build", "--outDir", str(out), "--emptyOutDir", "--logLevel", "warn"],
        cwd=WEB,
        check=True,
    )
    return out
