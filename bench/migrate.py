"""Fleet migration over all 3,321 official communes: a no-op run, a no-op revision, and an ADD COLUMN revision.

- no-op run: every commune already at head; the runner must find nothing to do.
- no-op revision: a revision whose upgrade does nothing, so each commune pays only the runner's own cost
  (claim, version row, catalog row, ledger row, commit).
- ADD COLUMN revision: a real expand migration on every commune.
Usage: python bench/migrate.py [--communes 3321] [--workers 2]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import bench_database, finish, machine, summary

REVISION = """
import sqlalchemy as sa
from alembic import op

revision = {rev!r}
down_revision = {down!r}
branch_labels = None
depends_on = None


def upgrade() -> None:
{body}


def downgrade() -> None:
    pass
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--communes", type=int, default=3321)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()

    from smartcommune.tenants.database import owner_engine
    from smartcommune.tenants.fleet_migrator import migrate_fleet
    from smartcommune.tenants.migrations.runtime import reset_caches, tenant_head
    from smartcommune.tenants.official_list import all_communes
    from smartcommune.tenants.registry import create_commune

    figures: dict[str, object] = {"communes": args.communes, "workers": args.workers}
    with bench_database(), tempfile.TemporaryDirectory() as extra:
        print("machine:", machine())
        engine = owner_engine()
        t0 = time.perf_counter()
        for official in all_communes()[: args.communes]:
            create_commune(engine, official.code)
        print(f"created {args.communes} communes in {time.perf_counter() - t0:.1f} s")

        report = migrate_fleet(engine, workers=args.workers)
        print(f"no-op run (all at head): {report.seconds:.3f} s, migrated {report.migrated}")
        figures["noop_run_s"] = round(report.seconds, 3)

        head = tenant_head()
        Path(extra, "b0001_noop.py").write_text(REVISION.format(rev="b0001", down=head, body="    pass"))
        Path(extra, "b0002_add_column.py").write_text(
            REVISION.format(
                rev="b0002",
                down="b0001",
                body='    op.add_column("villages", sa.Column("bench_note", sa.Text(), nullable=True))',
            )
        )
        os.environ["TENANT_EXTRA_MIGRATIONS"] = extra
        from smartcommune.tenants.settings import get_settings

        get_settings.cache_clear()
        reset_caches()
        for name, rev in (("noop_revision", "b0001"), ("add_column", "b0002")):
            report = migrate_fleet(engine, target=rev, workers=args.workers)
            per = summary(report.durations_ms)
            print(
                f"{name}: {report.migrated} communes in {report.seconds:.2f} s "
                f"({report.migrated / report.seconds:.0f}/s), failed {report.failed}; per commune p50 "
                f"{per['p50']:.1f} ms p95 {per['p95']:.1f} ms"
            )
            assert report.failed == 0 and report.migrated == args.communes
            figures[f"{name}_s"] = round(report.seconds, 2)
            figures[f"{name}_per_commune_p95_ms"] = round(per["p95"], 1)
        os.environ.pop("TENANT_EXTRA_MIGRATIONS")
    finish("migrate", figures, write=not args.no_write)


if __name__ == "__main__":
    main()
