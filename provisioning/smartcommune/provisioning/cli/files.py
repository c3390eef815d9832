"""`smartcommune files migrate --to s3://bucket/prefix`: move file bytes to object storage."""

from __future__ import annotations

import uuid
from typing import Annotated

import typer

from smartcommune.platform.files.migrate import migrate_files
from smartcommune.platform.files.storage import file_store_for
from smartcommune.provisioning.cli.progress import console
from smartcommune.tenants.settings import get_settings

app = typer.Typer(help="Tệp của các xã / Commune files", no_args_is_help=True)


@app.command("migrate")
def migrate(
    to: Annotated[str, typer.Option("--to", help="target store: s3://bucket/prefix or file:///path")],
    source: Annotated[str, typer.Option("--from", help="source store; default: the configured FILES_URL")] = "",
    schema: Annotated[str | None, typer.Option(help="only this commune schema")] = None,
) -> None:
    """Copy every file, verify each by SHA-256 read back from the target; re-run to resume."""
    settings = get_settings()
    origin = file_store_for(source or settings.files_url, settings)
    target = file_store_for(to, settings)
    if origin.url == target.url:
        console.print("[red]same_store[/red]: nguồn và đích là một / source and target are the same store")
        raise typer.Exit(2)

    def report(schema_name: str, file_id: uuid.UUID, outcome: str) -> None:
        if outcome == "failed":
            console.print(f"[red]{schema_name}/{file_id}: khác tổng kiểm / checksum differs[/red]")

    from botocore.exceptions import BotoCoreError, ClientError

    try:
        result = migrate_files(origin, target, schema=schema, on_file=report)
    except (ClientError, BotoCoreError) as exc:
        console.print(f"[red]object_store_error[/red]: kho tệp từ chối / the object store refused: {exc}")
        raise typer.Exit(1) from None
    console.print(
        f"Đã chép {result.copied} tệp ({result.bytes_copied} byte), bỏ qua {result.skipped} đã có, "
        f"lỗi {len(result.failed)} / copied {result.copied}, skipped {result.skipped}, failed {len(result.failed)}"
    )
    if result.failed:
        raise typer.Exit(1)
