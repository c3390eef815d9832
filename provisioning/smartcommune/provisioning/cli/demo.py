"""`smartcommune demo`: two communes from the official list with a login for every role. Idempotent."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from smartcommune.platform.identity.accounts import create_account, find_by_username
from smartcommune.platform.villages.models import Village
from smartcommune.provisioning.cli.progress import console
from smartcommune.provisioning.cli.system import SYSTEM
from smartcommune.tenants.authz.service import assign_role
from smartcommune.tenants.bootstrap import bootstrap
from smartcommune.tenants.database import app_engine, owner_engine
from smartcommune.tenants.errors import AppError
from smartcommune.tenants.principal import COMMUNE_REALM, PROVIDER_REALM
from smartcommune.tenants.registry import create_commune, get_commune, info_from_row
from smartcommune.tenants.session import tenant_transaction

DEMO_PASSWORD = "XaThongMinh@2026"  # noqa: S105 - printed by `make run` for the demo
DEMO_COMMUNES = {
    19597: ("cam-lo", ["Thôn An Bình", "Thôn Cam Thủy", "Thôn Tân Định"]),
    16012: ("hau-loc", ["Thôn Phú Lộc", "Thôn Hòa Ngư", "Thôn Đông Thôn"]),
}
COMMUNE_ROLES = {"admin": "commune_admin", "canbo": "commune_official", "truongthon": "village_head"}
RESIDENT_PHONES = {19597: "0912000001", 16012: "0912000002"}


@dataclass(frozen=True)
class DemoLogin:
    who: str
    commune: str
    username: str
    secret: str


def _account(realm: str, username: str, **kw: object) -> str:
    with Session(app_engine()) as session:
        existing = find_by_username(session, realm, username)
        if existing is not None:
            return str(existing.id)
    return str(create_account(app_engine(), realm=realm, username=username, password=DEMO_PASSWORD, **kw))  # type: ignore[arg-type]


def seed_demo() -> list[DemoLogin]:
    engine = owner_engine()
    bootstrap(engine)
    logins = [
        DemoLogin("Nhà cung cấp (quản trị) / provider admin", "—", "provider-admin", DEMO_PASSWORD),
        DemoLogin("Nhà cung cấp (vận hành) / provider operator", "—", "provider-operator", DEMO_PASSWORD),
    ]
    _account(PROVIDER_REALM, "provider-admin", display_name="Quản trị nền tảng", realm_roles=["provider_admin"])
    _account(
        PROVIDER_REALM,
        "provider-operator",
        display_name="Vận hành nền tảng",
        realm_roles=["provider_operator"],
    )
    for code, (slug, villages) in DEMO_COMMUNES.items():
        try:
            create_commune(engine, code, slug=slug)
        except AppError as exc:
            if exc.code != "commune_exists":
                raise
        tenant = info_from_row(get_commune(engine, code))
        for prefix, role in COMMUNE_ROLES.items():
            username = f"{slug}.{prefix}"
            account = _account(COMMUNE_REALM, username, commune_code=code, display_name=f"{role} {tenant.name}")
            try:
                assign_role(app_engine(), SYSTEM, code, f"user:{account}", role)
            except AppError as exc:
                if exc.code != "assignment_exists":
                    raise
            logins.append(DemoLogin(role, tenant.name, username, DEMO_PASSWORD))
        logins.append(DemoLogin("resident (mã OTP hiện trong log)", tenant.name, RESIDENT_PHONES[code], "OTP"))
        with tenant_transaction(tenant) as db:
            have = set(db.scalars(select(Village.code)))
            for n, name in enumerate(villages, 1):
                if f"T{n:02d}" not in have:
                    db.add(Village(code=f"T{n:02d}", name=name, kind="thon"))
    return logins


def print_logins(logins: list[DemoLogin]) -> None:
    from rich.table import Table

    table = Table("vai trò / role", "xã / commune", "đăng nhập / login", "mật khẩu / password")
    for login in logins:
        table.add_row(login.who, login.commune, login.username, login.secret)
    console.print(table)


def demo() -> None:
    """Create the demo communes Xã Cam Lộ (19597) and Xã Hậu Lộc (16012) with a login for every role."""
    print_logins(seed_demo())
