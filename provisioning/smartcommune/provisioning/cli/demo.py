"""`smartcommune demo`: two communes from the official list, onboarded by the provider's provisioning run
(template `base`, first admin issued), a login for every role, and sample life made through the platform's
services (households, invoices, reports, a survey, applications, announcements, listings, a farm, devices).
Idempotent: a second run adds nothing."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Annotated

import typer
from sqlalchemy.orm import Session

from smartcommune.platform.identity.accounts import create_account, find_by_username, set_password
from smartcommune.provisioning.cli.progress import console
from smartcommune.provisioning.cli.system import SYSTEM
from smartcommune.provisioning.demo.life import DemoCommune, ensure_camera, seed_life
from smartcommune.provisioning.demo.onboard import onboard
from smartcommune.provisioning.runs.schemas import AdminContact, DeviceSpec
from smartcommune.tenants.authz.service import assign_role
from smartcommune.tenants.bootstrap import bootstrap
from smartcommune.tenants.database import app_engine, owner_engine
from smartcommune.tenants.errors import AppError
from smartcommune.tenants.principal import COMMUNE_REALM, PROVIDER_REALM
from smartcommune.tenants.registry import get_commune, info_from_row

DEMO_PASSWORD = "XaThongMinh@2026"  # noqa: S105 - printed by `make run` for the demo
CAM_LO = DemoCommune(
    code=19597,
    slug="cam-lo",
    villages=("Thôn An Bình", "Thôn Cam Thủy", "Thôn Tân Định"),
    resident_phone="0912000001",
    resident_name="Nguyễn Thị Lan",
    lat=16.8063,
    lng=106.9965,
    bank_account_name="UBND XA CAM LO",
    farm=("Vườn tiêu Tân Định", "Hợp tác xã Tân Định", "Hồ tiêu"),
)
HAU_LOC = DemoCommune(
    code=16012,
    slug="hau-loc",
    villages=("Thôn Phú Lộc", "Thôn Hòa Ngư", "Thôn Đông Thôn"),
    resident_phone="0912000002",
    resident_name="Lê Văn Minh",
    lat=19.9309,
    lng=105.8856,
    bank_account_name="UBND XA HAU LOC",
    farm=("Ruộng lúa Hòa Ngư", "Hợp tác xã Hòa Ngư", "Gạo thơm"),
)
DEMO = (CAM_LO, HAU_LOC)
# Kept for callers of the former tables (code -> slug, village names; code -> resident phone).
DEMO_COMMUNES = {d.code: (d.slug, list(d.villages)) for d in DEMO}
RESIDENT_PHONES = {d.code: d.resident_phone for d in DEMO}
COMMUNE_ROLES = {"admin": "commune_admin", "canbo": "commune_official", "truongthon": "village_head"}
ADMIN_NAMES = {19597: "Hoàng Văn Quang", 16012: "Phạm Thị Thu"}


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


def demo_devices(demo: DemoCommune) -> list[DeviceSpec]:
    """The simulated devices of the demo (their telemetry comes from `smartcommune.provisioning.devtools`)."""
    short = demo.slug.replace("-", "")
    return [
        DeviceSpec(
            uid=f"{short}-kt-{n:02d}",
            serial=f"KT{demo.code}{n:03d}",
            name=f"Trạm khí tượng {demo.villages[n - 1]}",
            profile="tram-khi-tuong",
            location=f"Nhà văn hóa {demo.villages[n - 1]}",
        )
        for n in (1, 2)
    ]


def _first_admin(demo: DemoCommune) -> AdminContact:
    return AdminContact(
        name=ADMIN_NAMES[demo.code],
        phone=f"09120001{demo.code % 100:02d}",
        email=f"quantri.{demo.slug.replace('-', '')}@example.vn",
        username=f"{demo.slug}.admin",
    )


def seed_demo(*, camera_url: str | None = None) -> list[DemoLogin]:
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
    for demo in DEMO:
        t0 = time.perf_counter()
        admin = _first_admin(demo)
        _, ran = onboard(engine, demo.code, slug=demo.slug, admin=admin, devices=demo_devices(demo))
        tenant = info_from_row(get_commune(engine, demo.code))
        if ran:  # the first admin the run issued gets the demo password (a provider would hand over one)
            with Session(app_engine()) as session:
                issued = find_by_username(session, COMMUNE_REALM, admin.username or "")
            if issued is not None:
                set_password(issued.id, DEMO_PASSWORD)
        for prefix, role in COMMUNE_ROLES.items():
            username = f"{demo.slug}.{prefix}"
            if prefix != "admin":
                account = _account(
                    COMMUNE_REALM, username, commune_code=demo.code, display_name=f"{role} {tenant.name}"
                )
                try:
                    assign_role(app_engine(), SYSTEM, demo.code, f"user:{account}", role)
                except AppError as exc:
                    if exc.code != "assignment_exists":
                        raise
            logins.append(DemoLogin(role, tenant.name, username, DEMO_PASSWORD))
        logins.append(DemoLogin("resident (mã OTP hiện trong log)", tenant.name, demo.resident_phone, "OTP"))
        made = seed_life(tenant, demo)
        camera = f"; camera {ensure_camera(tenant, demo, camera_url)}" if camera_url else ""
        console.print(
            f"{tenant.name}: {'provisioned' if ran else 'already provisioned'}; "
            f"{'sample life already there' if made.get('skipped') else f'sample life {made}'}{camera} "
            f"({time.perf_counter() - t0:.1f} s)"
        )
    return logins


def print_logins(logins: list[DemoLogin]) -> None:
    from rich.table import Table

    table = Table("vai trò / role", "xã / commune", "đăng nhập / login", "mật khẩu / password")
    for login in logins:
        table.add_row(login.who, login.commune, login.username, login.secret)
    console.print(table)


def demo(
    camera_url: Annotated[
        str | None, typer.Option(help="stream of the demo camera (the simulated camera: allow it in DEV_CAMERA_URLS)")
    ] = None,
) -> None:
    """Create the demo communes Xã Cam Lộ (19597) and Xã Hậu Lộc (16012) with a login for every role."""
    print_logins(seed_demo(camera_url=camera_url))
