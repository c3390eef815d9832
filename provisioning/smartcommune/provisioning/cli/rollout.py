"""`smartcommune rollout --province 44 | --all | --manifest communes.csv [--template --concurrency --dry-run]`."""

from __future__ import annotations

import statistics
import time
from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy import select

from smartcommune.provisioning.cli.progress import console, progress_bar
from smartcommune.provisioning.manifests.parse import Rejected
from smartcommune.provisioning.manifests.parse import parse_file as parse_manifest
from smartcommune.provisioning.rollouts import service as rollouts
from smartcommune.provisioning.rollouts.local import execute_local
from smartcommune.provisioning.runs.schemas import RunSpec
from smartcommune.provisioning.runs.service import Outcome
from smartcommune.provisioning.runs.tasks import enqueue
from smartcommune.provisioning.templates import apply as templates
from smartcommune.provisioning.templates.spec import shipped
from smartcommune.tenants import registry
from smartcommune.tenants.bootstrap import bootstrap
from smartcommune.tenants.control.models import Tenant
from smartcommune.tenants.database import owner_engine
from smartcommune.tenants.errors import AppError
from smartcommune.tenants.session import tenant_transaction


def _scope(
    province: int | None, all_official: bool, manifest: str | None, template: str
) -> tuple[str, list[RunSpec], list[Rejected]]:
    if sum([province is not None, all_official, manifest is not None]) != 1:
        raise typer.BadParameter("give exactly one of --province, --all, --manifest")
    if manifest is not None:
        parsed = parse_manifest(manifest, default_template=template)
        return f"manifest {manifest}", parsed.specs, parsed.rejected
    specs = rollouts.official_specs(province=province, template=template)
    if not specs:
        raise typer.BadParameter(f"no official commune in province {province}")
    return ("all" if all_official else f"province {province}"), specs, []


def _dry_run(specs: list[RunSpec], skipped: dict[int, str]) -> None:
    engine = owner_engine()
    with engine.connect() as conn:
        existing = set(conn.execute(select(Tenant.commune_code)).scalars())
    new = [s for s in specs if s.commune_code not in skipped and s.commune_code not in existing]
    upgrades = [s for s in specs if s.commune_code not in skipped and s.commune_code in existing]
    console.print(
        f"[bold]Kế hoạch / plan[/bold]: {len(new)} xã mới / new, {len(upgrades)} nâng cấp / upgrade, "
        f"{len(skipped)} bỏ qua / skipped"
    )
    for name in sorted({s.template for s in new}):
        t = shipped(name)
        what = ", ".join(f"{kind} {n}" for kind, n in templates.item_counts(t).items() if n)
        console.print(f"  mẫu / template {t.name} v{t.version} → mỗi xã mới / each new commune: {what}")
    for spec in new[:10]:
        t = shipped(spec.template)
        console.print(f"  + {spec.commune_code} {spec.slug or ''} template {t.name} v{t.version}")
    if len(new) > 10:
        console.print(f"  … {len(new) - 10} more new")
    for spec in upgrades[:20]:
        tenant = registry.info_from_row(registry.get_commune(engine, spec.commune_code))
        with tenant_transaction(tenant) as db:
            plan = templates.apply(db, shipped(spec.template), dry_run=True)
        for line in plan.lines()[:30]:
            console.print(f"  {tenant.slug}: {line}")


def _report(outcomes: list[Outcome], skipped: list[tuple[int, str]], rejected: list[Rejected], seconds: float) -> int:
    ok = [o for o in outcomes if o.status == "succeeded"]
    failed = [o for o in outcomes if o.status not in ("succeeded",)]
    table = Table("kết quả / outcome", "số xã / communes")
    table.add_row("thành công / succeeded", str(len(ok)))
    table.add_row("thất bại / failed", str(len(failed)))
    table.add_row("bỏ qua / skipped", str(len(skipped)))
    table.add_row("dòng lỗi / rejected rows", str(len(rejected)))
    console.print(table)
    times = sorted(o.seconds for o in ok)
    if times:
        p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
        console.print(
            f"{seconds:.1f} s; per commune p50 {statistics.median(times) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms"
        )
    for o in failed[:50]:
        console.print(f"  [red]{o.commune_code}[/red] {o.status}: {o.error}")
    for r in rejected[:50]:
        console.print(f"  [yellow]dòng / row {r.row}[/yellow]: {r.reason}")
    return 1 if failed or rejected else 0


def rollout(
    province: Annotated[int | None, typer.Option(help="every official commune of this province code")] = None,
    all_official: Annotated[bool, typer.Option("--all", help="all 3,321 official communes")] = False,
    manifest: Annotated[str | None, typer.Option(help="a CSV or YAML manifest")] = None,
    template: Annotated[str, typer.Option(help="template (manifest rows may name their own)")] = "base",
    concurrency: Annotated[int, typer.Option(min=1, max=64, help="worker processes")] = 2,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="print the plan, change nothing")] = False,
    queue: Annotated[
        bool, typer.Option("--queue", help="send the runs to Celery instead of running them here")
    ] = False,
) -> None:
    """Onboard (or upgrade) communes: one provisioning run each, with a progress bar and a final report."""
    engine = owner_engine()
    bootstrap(engine)
    try:
        shipped(template)
        scope, specs, rejected = _scope(province, all_official, manifest, template)
        if dry_run:
            skip = rollouts.skip_reasons(engine, specs)
            _dry_run(specs, skip)
            for r in rejected:
                console.print(f"  [yellow]dòng / row {r.row}[/yellow]: {r.reason}")
            return
        started_at = time.perf_counter()
        started = rollouts.start(engine, specs, scope=scope, template=template, requested_by="cli", rejected=rejected)
    except AppError as exc:
        console.print(f"[red]{exc.code}[/red]: {exc.message_vi} / {exc.message_en}")
        raise typer.Exit(code=2) from exc
    console.print(f"rollout {started.rollout_id}: {len(started.run_ids)} runs, {len(started.skipped)} skipped")
    if queue:
        enqueue(started.run_ids)
        console.print("đã gửi / sent to the `provisioning` queue")
        return
    with progress_bar() as bar:
        task = bar.add_task("Khởi tạo xã / provisioning", total=len(started.run_ids))
        outcomes = execute_local(started.run_ids, concurrency=concurrency, on_done=lambda _: bar.advance(task))
    code = _report(outcomes, started.skipped, started.rejected, time.perf_counter() - started_at)
    if code:
        raise typer.Exit(code=code)
