"""The steps of a provisioning run, in order. Each is idempotent: it checks what is already there first.

A step returns a small JSON-able dict (recorded as the step's output); `{"skipped": True, ...}` marks a
step that had nothing to do (no Stripe configured, no cameras in the manifest).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, func, select, text, update

from smartcommune.platform.cameras import secrets
from smartcommune.platform.cameras import service as cameras
from smartcommune.platform.cameras.models import Camera, SiteNetwork
from smartcommune.platform.cameras.schemas import CameraIn, SiteNetworkIn
from smartcommune.platform.devices import service as devices
from smartcommune.platform.devices.models import Device, DeviceProfile
from smartcommune.platform.devices.schemas import DeviceIn
from smartcommune.platform.procedures import service as procedures
from smartcommune.platform.reports.models import ReportCategory
from smartcommune.platform.villages.models import Village
from smartcommune.provisioning.cli.system import SYSTEM
from smartcommune.provisioning.runs.schemas import RunSpec
from smartcommune.provisioning.templates import apply as templates
from smartcommune.provisioning.templates.spec import shipped
from smartcommune.tenants import registry
from smartcommune.tenants.authz.service import assign_role, holders_of
from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.control.models import Tenant
from smartcommune.tenants.database import app_engine
from smartcommune.tenants.errors import AppError, InvalidInput
from smartcommune.tenants.fleet_migrator import migrate_fleet
from smartcommune.tenants.migrations.runtime import tenant_head
from smartcommune.tenants.session import tenant_transaction
from smartcommune.tenants.settings import get_settings

ACTOR = "provisioning"
ACTOR_KIND = "provider"
PROVISIONING_REASON = "Đang khởi tạo / being provisioned"


@dataclass
class StepContext:
    engine: Engine  # the owner engine (DDL, control writes)
    run_id: uuid.UUID
    spec: RunSpec
    outputs: dict[str, dict[str, Any]] = field(default_factory=dict)

    def tenant(self) -> TenantInfo:
        return registry.info_from_row(registry.get_commune(self.engine, self.spec.commune_code))


def validate(ctx: StepContext) -> dict[str, Any]:
    spec = ctx.spec
    official = registry.official_or_error(spec.commune_code, spec.province_code)
    template = shipped(spec.template)
    profiles = {p.code for p in template.device_profiles}
    for i, d in enumerate(spec.devices):
        if d.profile not in profiles:
            raise InvalidInput(
                f"Thiết bị {d.uid}: mẫu '{template.name}' không có hồ sơ '{d.profile}'.",
                f"devices[{i}].profile: {d.profile!r} is not a device profile of template {template.name!r}",
                code="unknown_device_profile",
            )
    return {"name": official.name, "province": official.province_name, "template_version": template.version}


def register(ctx: StepContext) -> dict[str, Any]:
    """Catalog row, schema and role: one transaction in the registry (it never half-creates a commune).

    A commune this run creates is held suspended until `activate`, so nobody uses it half-configured.
    """
    spec = ctx.spec
    try:
        created = registry.create_commune(
            ctx.engine,
            spec.commune_code,
            slug=spec.slug,
            province_code=spec.province_code,
            template=spec.template,
            plan=spec.plan,
        )
    except AppError as exc:
        if exc.code != "commune_exists":
            raise
        row = registry.get_commune(ctx.engine, spec.commune_code)
        return {"slug": row.slug, "created": False, "status": row.status}
    registry.suspend_commune(ctx.engine, created.tenant.id, PROVISIONING_REASON, actor=ACTOR)
    return {"slug": created.tenant.slug, "created": True, "ms": round(created.seconds * 1000, 1)}


def schema(ctx: StepContext) -> dict[str, Any]:
    """The schema and role exist and the schema is at the tenant head (else the fleet runner brings it)."""
    tenant = ctx.tenant()
    with ctx.engine.connect() as conn:
        ok = conn.execute(
            text(
                "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = :s) "
                "AND EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :r)"
            ),
            {"s": tenant.schema_name, "r": tenant.role_name},
        ).scalar()
        revision = conn.execute(select(Tenant.schema_revision).where(Tenant.id == tenant.id)).scalar_one()
    if not ok:
        raise InvalidInput(
            "Thiếu lược đồ hoặc vai trò CSDL của xã.",
            f"Schema {tenant.schema_name} or role {tenant.role_name} is missing",
            code="schema_missing",
        )
    migrated = False
    if revision != tenant_head():
        migrate_fleet(ctx.engine, workers=1)
        migrated = True
    return {"schema": tenant.schema_name, "revision": tenant_head(), "migrated": migrated}


def apply_template(ctx: StepContext) -> dict[str, Any]:
    template = shipped(ctx.spec.template)
    tenant = ctx.tenant()
    with tenant_transaction(tenant) as db:
        plan = templates.apply(db, template)
    if tenant.id is not None:
        with ctx.engine.begin() as conn:
            conn.execute(update(Tenant).where(Tenant.id == tenant.id).values(template=template.name))
    return {"template": template.name, "version": template.version, **plan.counts()}


def identity(ctx: StepContext) -> dict[str, Any]:
    """The organization and first admin (embedded issuer, or Keycloak when KEYCLOAK_URL is set)."""
    admin = ctx.spec.admin
    if admin is None:
        return {"skipped": True, "reason": "no admin contact"}
    # Imported here: python-keycloak pulls in `requests`, which only the identity step needs.
    from smartcommune.platform.identity.admins import get_identity_admin

    tenant = ctx.tenant()
    idp = get_identity_admin()
    org = idp.ensure_commune_organization(tenant.commune_code, tenant.name, None)
    username = admin.username or f"{tenant.slug}.admin"
    email = admin.email or ""
    user_id = idp.create_commune_admin(tenant.commune_code, username, email, admin.name)
    try:
        assign_role(app_engine(), SYSTEM, tenant.commune_code, f"user:{user_id}", "commune_admin")
    except AppError as exc:
        if exc.code != "assignment_exists":
            raise
    provider = "keycloak" if get_settings().keycloak_url else "embedded"
    return {"provider": provider, "organization": org, "admin_username": username, "admin_id": user_id}


def billing(ctx: StepContext) -> dict[str, Any]:
    if not get_settings().stripe_api_key:
        return {"skipped": True, "reason": "Stripe not configured"}
    from smartcommune.provisioning.billing.service import subscribe

    account = subscribe(str(ctx.spec.commune_code), ctx.spec.plan)
    return {"customer": account.stripe_customer_id, "subscription": account.stripe_subscription_id}


def cameras_step(ctx: StepContext) -> dict[str, Any]:
    """Allow-list the site networks, register each camera (SSRF guard, encrypted credentials), probe it.

    A camera that is refused or does not answer is recorded with its reason; it does not fail the run.
    """
    spec = ctx.spec
    if not spec.cameras and not spec.site_networks:
        return {"skipped": True, "reason": "no cameras"}
    tenant = ctx.tenant()
    with tenant_transaction(tenant) as db:
        have = set(db.scalars(select(SiteNetwork.cidr)))
        for cidr in spec.site_networks:
            if cidr not in have:
                try:
                    cameras.add_site_network(
                        db, SiteNetworkIn(cidr=cidr, note="provisioning"), actor=ACTOR, actor_kind=ACTOR_KIND
                    )
                except AppError as exc:
                    if exc.code != "site_network_exists":
                        raise
    results = []
    for cam in spec.cameras:
        entry: dict[str, Any] = {"name": cam.name}
        try:
            with tenant_transaction(tenant) as db:
                existing = db.scalar(select(Camera).where(Camera.name == cam.name))
                if existing is None:
                    existing = cameras.create(
                        db,
                        CameraIn(
                            name=cam.name,
                            location=cam.location,
                            stream_url=cam.stream_url,
                            username=cam.username,
                            password=cam.password,
                        ),
                        actor=ACTOR,
                        actor_kind=ACTOR_KIND,
                    )
                entry["id"] = existing.id
                if existing.status != "online":
                    camera, result, _ = cameras.probe_now(db, tenant, existing.id, actor=ACTOR, actor_kind=ACTOR_KIND)
                    entry.update(
                        status=camera.status,
                        reason=None if result.ok else result.reason,
                        width=result.width,
                        height=result.height,
                        fps=result.fps,
                        codec=result.codec,
                        ms=round(result.elapsed_ms),
                    )
                else:
                    entry["status"] = "online"
        except AppError as exc:
            entry.update(status="refused", reason=exc.code, message=exc.message_vi)
        results.append(entry)
    return {
        "cameras": results,
        "online": sum(1 for r in results if r.get("status") == "online"),
        "failed": sum(1 for r in results if r.get("status") != "online"),
    }


def devices_step(ctx: StepContext) -> dict[str, Any]:
    """Devices with per-device MQTT credentials; the CSV for the installer is kept sealed, shown once."""
    spec = ctx.spec
    if not spec.devices:
        return {"skipped": True, "reason": "no devices"}
    tenant = ctx.tenant()
    with tenant_transaction(tenant) as db:
        profiles = {c: i for c, i in db.execute(select(DeviceProfile.code, DeviceProfile.id))}
        existing = {u: i for u, i in db.execute(select(Device.uid, Device.id))}
        new = [
            DeviceIn(uid=d.uid, serial=d.serial, name=d.name, profile_id=profiles[d.profile], location=d.location)
            for d in spec.devices
            if d.uid not in existing
        ]
        issued = devices.create_devices(db, tenant, new, actor=ACTOR, actor_kind=ACTOR_KIND)
        # Devices created by an attempt that died before its credentials were recorded get new ones.
        for d in spec.devices:
            if d.uid in existing:
                issued.append(
                    devices.rotate_credentials(db, tenant, existing[d.uid], actor=ACTOR, actor_kind=ACTOR_KIND)
                )
        csv_text = devices.credentials_csv(tenant, issued)
    return {"devices": len(issued), "credentials_csv": {"enc": secrets.encrypt(csv_text)}}


def verify(ctx: StepContext) -> dict[str, Any]:
    """Smoke checks by direct calls of the platform's services in a tenant transaction (as its API does)."""
    template = shipped(ctx.spec.template)
    tenant = ctx.tenant()
    with tenant_transaction(tenant) as db:
        n_villages = db.scalar(select(func.count()).select_from(Village)) or 0
        n_categories = db.scalar(select(func.count()).select_from(ReportCategory)) or 0
        n_procedures = len(procedures.catalogue(db, field=None, active_only=False))
    problems = []
    if n_villages < min(1, template.villages.count):
        problems.append("no villages")
    if n_categories == 0:
        problems.append("no report categories")
    if n_procedures == 0:
        problems.append("no procedures")
    if ctx.spec.admin is not None and not holders_of(app_engine(), tenant.commune_code, ["commune_admin"]):
        problems.append("no commune_admin")
    if problems:
        raise InvalidInput(
            "Kiểm tra sau khởi tạo không đạt: " + ", ".join(problems),
            "Verification failed: " + ", ".join(problems),
            code="verify_failed",
        )
    return {"villages": n_villages, "report_categories": n_categories, "procedures": n_procedures}


def activate(ctx: StepContext) -> dict[str, Any]:
    row = registry.get_commune(ctx.engine, ctx.spec.commune_code)
    if row.status == "suspended" and row.suspended_reason == PROVISIONING_REASON:
        registry.resume_commune(ctx.engine, row.id, actor=ACTOR)
        return {"status": "active"}
    return {"status": row.status, "unchanged": True}


STEPS: tuple[tuple[str, Callable[[StepContext], dict[str, Any] | None]], ...] = (
    ("validate", validate),
    ("register", register),
    ("schema", schema),
    ("template", apply_template),
    ("identity", identity),
    ("billing", billing),
    ("cameras", cameras_step),
    ("devices", devices_step),
    ("verify", verify),
    ("activate", activate),
)
