"""Packaging: `smartcommune` is a PEP 420 namespace over three source roots; stdlib `platform` wins."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SOURCE_ROOTS = ("platform", "tenants", "provisioning")


def _python(code: str) -> str:
    """Run `python -c` from the repo root: sys.path[0] is the repo root, as with uvicorn and celery."""
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_repo_root_is_on_sys_path_in_the_probe() -> None:
    first = _python("import sys; print(sys.path[0])")
    assert first in ("", str(REPO)), first


def test_stdlib_platform_wins_with_repo_root_on_sys_path() -> None:
    out = _python(
        "import platform, sysconfig, uuid; uuid.uuid4(); platform.system();"
        "print(platform.__file__); print(sysconfig.get_paths()['stdlib'])"
    )
    module_file, stdlib = out.splitlines()
    assert Path(module_file).resolve().is_relative_to(Path(stdlib).resolve()), (module_file, stdlib)


def test_smartcommune_platform_resolves_into_its_source_root() -> None:
    out = _python(
        "import smartcommune.platform, smartcommune.tenants;"
        "print(list(smartcommune.platform.__path__)[0]); print(list(smartcommune.tenants.__path__)[0])"
    )
    platform_path, tenants_path = (Path(p).resolve() for p in out.splitlines())
    assert platform_path == REPO / "platform" / "smartcommune" / "platform"
    assert tenants_path == REPO / "tenants" / "smartcommune" / "tenants"


def test_no_init_in_source_roots_or_namespace_folders() -> None:
    offenders = [
        path
        for root in SOURCE_ROOTS
        for path in (REPO / root / "__init__.py", REPO / root / "smartcommune" / "__init__.py")
        if path.exists()
    ]
    assert offenders == []


def test_no_init_anywhere_under_tests() -> None:
    assert sorted((REPO / "tests").rglob("__init__.py")) == []


def test_import_layer_contract_holds() -> None:
    lint_imports = Path(sys.executable).parent / "lint-imports"
    done = subprocess.run(
        [str(lint_imports), "--no-cache"], cwd=REPO, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
