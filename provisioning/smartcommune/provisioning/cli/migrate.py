"""`smartcommune migrate`: control schema, then every commune schema, resumable."""

from __future__ import annotations

import statistics
from typing import Annotated

import typer

from smartcommune.provisioning.cli.progress import console, progress_bar
from smartcommune.tenants.bootstrap import bootstrap
from smartcommune.tenants.database import owner_engine
from smartcommune.tenants.fleet_migrator import Outcome, migrate_fleet, pending_count
from smartcommune.tenants.migrations.runtime import tenant_head
from smartcommune.tenants.settings import get_settings


def migrate(
    to: Annotated[str | None, typer.Option(help="target tenant revision (default: head)")] = None,
    workers: Annotated[int | None, typer.Option(help="parallel worker processes")] = None,
    lock_timeout_ms: Annotated[int | None, typer.Option(help="per-commune lock timeout")] = None,
) -> None:
    """Migrate the control schema and the whole fleet; rerun to finish what a killed run left."""
    settings = get_settings()
    engine = owner_engine()
    bootstrap(engine)
    target = to or tenant_head()
    total = pending_count(engine, target)
    console.print(f"target {target}: {total} communes to migrate")
    with progress_bar() as bar:
        task = bar.add_task("Di chuyển dữ liệu / migrating", total=total)

        def done(outcome: Outcome) -> None:
            bar.advance(task)
            if not outcome.ok:
                console.print(f"  [red]{outcome.commune_code}[/red]: {outcome.error}")

        report = migrate_fleet(
            engine,
            target=target,
            workers=workers or settings.migration_workers,
            lock_timeout_ms=lock_timeout_ms or settings.migration_lock_timeout_ms,
            on_done=done,
        )
    p50 = statistics.median(report.durations_ms) if report.durations_ms else 0.0
    console.print(
        f"run {report.run_id}: migrated {report.migrated}, failed {report.failed} in {report.seconds:.1f} s "
        f"(median {p50:.0f} ms per commune)"
    )
    if report.failed:
        raise typer.Exit(code=1)
