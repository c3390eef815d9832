"""`smartcommune communes create|list|show|suspend|resume|delete`."""

from __future__ import annotations

import statistics
from typing import Annotated

import typer
from rich.table import Table

from smartcommune.provisioning.cli.progress import console, progress_bar
from smartcommune.tenants import registry
from smartcommune.tenants.bootstrap import bootstrap
from smartcommune.tenants.database import owner_engine
from smartcommune.tenants.errors import AppError
from smartcommune.tenants.official_list import all_communes

app = typer.Typer(help="Xã trên nền tảng / Communes on the platform", no_args_is_help=True)


def _fail(exc: AppError) -> typer.Exit:
    console.print(f"[red]{exc.code}[/red]: {exc.message_vi} / {exc.message_en}")
    return typer.Exit(code=2)


@app.command("create")
def create(
    codes: Annotated[list[int] | None, typer.Argument(help="official commune codes")] = None,
    province: Annotated[int | None, typer.Option(help="every commune of this province")] = None,
    all_official: Annotated[bool, typer.Option("--all", help="all 3,321 official communes")] = False,
    slug: Annotated[str | None, typer.Option(help="slug (one commune only)")] = None,
    template: str = "base",
) -> None:
    """Onboard communes from the official list (skips ones already onboarded)."""
    engine = owner_engine()
    bootstrap(engine)
    wanted = list(codes or [])
    if province is not None or all_official:
        wanted += [c.code for c in all_communes() if all_official or c.province_code == province]
    if not wanted:
        raise typer.BadParameter("give commune codes, --province or --all")
    if slug and len(wanted) != 1:
        raise typer.BadParameter("--slug needs exactly one commune")
    created, skipped, failed, seconds = 0, 0, [], []
    with progress_bar() as bar:
        task = bar.add_task("Tạo xã / creating", total=len(wanted))
        for code in wanted:
            try:
                result = registry.create_commune(engine, code, slug=slug, template=template)
                created += 1
                seconds.append(result.seconds)
            except AppError as exc:
                if exc.code == "commune_exists":
                    skipped += 1
                else:
                    failed.append((code, exc.code))
                    if len(wanted) == 1:
                        raise _fail(exc) from exc
            bar.advance(task)
    p50 = statistics.median(seconds) if seconds else 0.0
    console.print(f"created {created}, already there {skipped}, failed {len(failed)}; median {p50 * 1000:.0f} ms")
    for code, err in failed[:20]:
        console.print(f"  [red]{code}[/red]: {err}")
    if failed:
        raise typer.Exit(code=1)


@app.command("list")
def list_(
    q: Annotated[str | None, typer.Option(help="search name, slug or code")] = None,
    province: int | None = None,
    status: str | None = None,
    limit: int = 50,
) -> None:
    try:
        page = registry.list_communes(owner_engine(), q=q, province_code=province, status=status, limit=limit)
    except AppError as exc:
        raise _fail(exc) from exc
    table = Table("code", "slug", "name", "province", "status", "revision")
    for t in page.items:
        table.add_row(str(t.commune_code), t.slug, t.name, t.province_name, t.status, t.schema_revision)
    console.print(table)
    console.print(f"{len(page.items)} of {page.total}")


@app.command("show")
def show(key: str) -> None:
    try:
        t = registry.get_commune(owner_engine(), key)
    except AppError as exc:
        raise _fail(exc) from exc
    for field in (
        "id",
        "slug",
        "commune_code",
        "name",
        "province_code",
        "province_name",
        "status",
        "plan",
        "template",
        "schema_name",
        "schema_revision",
        "suspended_reason",
        "created_at",
    ):
        console.print(f"[bold]{field}[/bold]: {getattr(t, field)}")


@app.command("suspend")
def suspend(key: str, reason: str = "") -> None:
    try:
        t = registry.suspend_commune(owner_engine(), key, reason, actor="cli")
    except AppError as exc:
        raise _fail(exc) from exc
    console.print(f"{t.slug}: {t.status}")


@app.command("resume")
def resume(key: str) -> None:
    try:
        t = registry.resume_commune(owner_engine(), key, actor="cli")
    except AppError as exc:
        raise _fail(exc) from exc
    console.print(f"{t.slug}: {t.status}")


@app.command("delete")
def delete(key: str, confirm: Annotated[str, typer.Option(help="the commune's slug, to confirm")] = "") -> None:
    """Drop a suspended commune's schema and role. Irreversible."""
    try:
        t = registry.delete_commune(owner_engine(), key, confirm_slug=confirm)
    except AppError as exc:
        raise _fail(exc) from exc
    console.print(f"deleted {t.slug} ({t.commune_code})")
