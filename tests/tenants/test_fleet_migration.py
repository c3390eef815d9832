"""The fleet runner killed part way (real subprocess, SIGKILL of its whole process group) and rerun."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from testsupport.databases import create_database, drop_database

from smartcommune.tenants.migrations.runtime import tenant_head
from smartcommune.tenants.official_list import all_communes

REPO = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-m", "smartcommune.main"]
# Twenty communes of Quảng Trị (44) and Thanh Hóa (38) from the official list.
_OTHERS = [c.code for c in all_communes() if c.province_code in (44, 38) and c.code not in (19597, 16012)]
CODES = [19597, 16012, *_OTHERS[:18]]

SLOW_REVISION = '''
"""A deliberately slow expand migration, so the runner can be killed in the middle of the fleet."""
import sqlalchemy as sa
from alembic import op

revision = "t9001"
down_revision = {head!r}
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("villages", sa.Column("note", sa.Text(), nullable=True))
    op.execute("SELECT pg_sleep(0.15)")


def downgrade() -> None:
    op.drop_column("villages", "note")
'''


@pytest.fixture
def fleet_db(tmp_path: Path) -> Iterator[tuple[dict[str, str], str]]:
    url = create_database()
    extra = tmp_path / "versions"
    extra.mkdir()
    (extra / "t9001_slow.py").write_text(SLOW_REVISION.format(head=tenant_head()))
    env = {**os.environ, "DATABASE_URL": url, "ENVIRONMENT": "test"}
    try:
        yield env, str(extra)
    finally:
        drop_database(url)


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], env=env, cwd=REPO, capture_output=True, text=True, timeout=300)


def _ok_rows(url: str) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT count(*) FROM control.migration_ledger WHERE status = 'ok'").fetchone()
        return int(row[0]) if row else 0


def test_killed_runner_resumes_and_migrates_each_commune_exactly_once(
    fleet_db: tuple[dict[str, str], str],
) -> None:
    env, extra = fleet_db
    url = env["DATABASE_URL"]
    created = _cli(env, "communes", "create", *map(str, CODES))
    assert created.returncode == 0, created.stdout + created.stderr

    migrate_env = {**env, "TENANT_EXTRA_MIGRATIONS": extra}
    runner = subprocess.Popen(
        [*CLI, "migrate", "--workers", "2"],
        env=migrate_env,
        cwd=REPO,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while _ok_rows(url) < 4 and time.monotonic() < deadline and runner.poll() is None:
        time.sleep(0.05)
    os.killpg(runner.pid, signal.SIGKILL)
    runner.wait(timeout=30)

    with psycopg.connect(url) as conn:
        first_run = conn.execute("SELECT count(*) FROM control.migration_ledger WHERE status='ok'").fetchone()
        assert first_run is not None
        migrated_before_kill = int(first_run[0])
        assert 4 <= migrated_before_kill < len(CODES), "kill landed outside the run; slow migration too fast?"
        _assert_no_half_migrated(conn)

    rerun = _cli(migrate_env, "migrate", "--workers", "2")
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert f"migrated {len(CODES) - migrated_before_kill}," in rerun.stdout

    with psycopg.connect(url) as conn:
        _assert_no_half_migrated(conn)
        revisions = conn.execute("SELECT DISTINCT schema_revision FROM control.tenants").fetchall()
        assert revisions == [("t9001",)]
        per_commune = conn.execute(
            "SELECT commune_code, count(*) FROM control.migration_ledger WHERE status='ok' AND to_revision='t9001' "
            "GROUP BY commune_code"
        ).fetchall()
        assert sorted(code for code, _ in per_commune) == sorted(CODES)
        assert all(n == 1 for _, n in per_commune)
        runs = conn.execute("SELECT count(DISTINCT run_id) FROM control.migration_ledger").fetchone()
        assert runs == (2,)

    again = _cli(migrate_env, "migrate", "--workers", "2")
    assert again.returncode == 0 and "migrated 0," in again.stdout


def _assert_no_half_migrated(conn: psycopg.Connection) -> None:
    """Catalog row, the schema's own version row and the DDL agree for every commune."""
    rows = conn.execute("SELECT schema_name, schema_revision FROM control.tenants").fetchall()
    for schema, catalog_rev in rows:
        version = conn.execute(f'SELECT version_num FROM "{schema}".alembic_version').fetchone()
        has_note = conn.execute(
            "SELECT 1 FROM information_schema.columns WHERE table_schema=%s AND table_name='villages' "
            "AND column_name='note'",
            (schema,),
        ).fetchone()
        assert version == (catalog_rev,)
        assert (catalog_rev == "t9001") == (has_note is not None)


def test_failing_commune_is_recorded_and_the_rest_migrate(fleet_db: tuple[dict[str, str], str]) -> None:
    env, extra = fleet_db
    url = env["DATABASE_URL"]
    assert _cli(env, "communes", "create", *map(str, CODES[:3])).returncode == 0
    with psycopg.connect(url, autocommit=True) as conn:
        # Sabotage one commune: the column the migration adds already exists there.
        conn.execute('ALTER TABLE "c_16012".villages ADD COLUMN note text')
    result = _cli({**env, "TENANT_EXTRA_MIGRATIONS": extra}, "migrate", "--workers", "2")
    assert result.returncode == 1
    assert "migrated 2, failed 1" in result.stdout
    with psycopg.connect(url) as conn:
        failed = conn.execute(
            "SELECT commune_code, error FROM control.migration_ledger WHERE status='failed'"
        ).fetchall()
        assert [code for code, _ in failed] == [16012]
        assert "already exists" in failed[0][1]
        rev = conn.execute("SELECT schema_revision FROM control.tenants WHERE commune_code=16012").fetchone()
        assert rev == (tenant_head(),)
