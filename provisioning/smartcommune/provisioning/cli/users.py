"""`smartcommune users create`: provider staff, commune officials, residents of the embedded issuer."""

from __future__ import annotations

from typing import Annotated

import typer

from smartcommune.platform.identity.accounts import create_account
from smartcommune.provisioning.cli.progress import console
from smartcommune.provisioning.cli.system import SYSTEM
from smartcommune.tenants.authz.service import assign_role
from smartcommune.tenants.database import app_engine
from smartcommune.tenants.errors import AppError
from smartcommune.tenants.principal import COMMUNE_REALM, PROVIDER_REALM

app = typer.Typer(help="Tài khoản / Accounts", no_args_is_help=True)

PROVIDER_ROLES = ("provider_admin", "provider_operator")


@app.command("create")
def create(
    role: Annotated[
        str,
        typer.Option(
            help="provider_admin, provider_operator, commune_admin, commune_official, "
            "village_head, resident, or a commune-defined role"
        ),
    ],
    commune: Annotated[int | None, typer.Option(help="commune code (not for provider staff)")] = None,
    username: str | None = None,
    password: Annotated[str | None, typer.Option(help="omit for residents (they log in by phone code)")] = None,
    phone: str | None = None,
    name: Annotated[str, typer.Option(help="display name")] = "",
) -> None:
    try:
        user_id = create_user(role=role, commune=commune, username=username, password=password, phone=phone, name=name)
    except AppError as exc:
        console.print(f"[red]{exc.code}[/red]: {exc.message_vi} / {exc.message_en}")
        raise typer.Exit(code=2) from exc
    console.print(f"created {user_id} ({role})")


def create_user(
    *,
    role: str,
    commune: int | None,
    username: str | None,
    password: str | None,
    phone: str | None,
    name: str,
) -> str:
    """One account, and its role: a realm role for staff, a casbin assignment in the commune otherwise."""
    engine = app_engine()
    if role in PROVIDER_ROLES:
        if commune is not None:
            raise typer.BadParameter("provider staff belong to no commune")
        account = create_account(
            engine,
            realm=PROVIDER_REALM,
            username=username,
            password=password,
            display_name=name,
            realm_roles=[role],
        )
        return str(account)
    if commune is None:
        raise typer.BadParameter("--commune is required for commune users")
    account = create_account(
        engine,
        realm=COMMUNE_REALM,
        username=username,
        phone=phone,
        password=password,
        commune_code=commune,
        display_name=name,
    )
    if role != "resident":
        assign_role(engine, SYSTEM, commune, f"user:{account}", role)
    return str(account)
