"""The steps of a provisioning run, in order. Each is idempotent: it checks what is already there first.

A step returns a small JSON-able dict (recorded as the step's output); `{"skipped": True, ...}` marks a
step that had nothing to do (no Stripe configured, no cameras in the manifest).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, select, text, update

from smartcommune.platform.cameras import secrets
from smartcommune.platform.cameras import service as cameras
from smartcommune.platform.cameras.models import Camera, SiteNetwork
from smartcommune.platform.cameras.schemas import CameraIn, SiteNetworkIn
from smartcommune.platform.configuration.models import AutomationRule
from smartcommune.platform.configuration.models import CameraProfile as CameraDefaults
from smartcommune.platform.devices import service as devices
from smartcommune.platform.devices.models import Device, DeviceProfile, DeviceRule
from smartcommune.platform.devices.schemas import DeviceIn, RuleIn
from smartcommune.provisioning.cli.system import SYSTEM
from smartcommune.provisioning.runs import verify as api_checks
from smartcommune.provisioning.runs.schemas import RunSpec
from smartcommune.provisioning.templates import apply as templates
from smartcommune.provisioning.templates.spec import shipped
from smartcommune.tenants import registry
from smartcommune.tenants.authz.service import assign_role, holders_of
from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.control.models import BillingPlan, Tenant
from smartcommune.tenants.database import app_engine
from smartcommune.tenants.errors import AppError, InvalidInput
from smartcommune.tenants.fleet_migrator import migrate_fleet
from smartcommune.tenants.migrations.runtime import tenant_head
from smartcommune.tenants.session import TenantSession, tenant_transaction
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
    _tenant: TenantInfo | None = None

    def tenant(self) -> TenantInfo:
        """The commune's names (schema, role, slug): read once per run, they do not change."""
        if self._tenant is None:
            self._tenant = registry.info_from_row(registry.get_commune(self.engine, self.spec.commune_code))
        return self._tenant


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
    camera_profiles = {p.code for p in template.camera_profiles}
    for i, c in enumerate(spec.cameras):
        if c.profile is not None and c.profile not in camera_profiles:
            raise InvalidInput(
                f"Camera {c.name}: mẫu '{template.name}' không có hồ sơ camera '{c.profile}'.",
                f"cameras[{i}].profile: {c.profile!r} is not a camera profile of template {template.name!r}",
                code="unknown_camera_profile",
            )
    if get_settings().stripe_api_key:
        # Found now, before the commune exists, rather than at the billing step after its schema is built.
        with app_engine().connect() as conn:
            known = conn.execute(select(BillingPlan.code).where(BillingPlan.code == spec.plan)).first()
        if known is None:
            raise InvalidInput(
                f"Không có gói cước '{spec.plan}'.", f"plan: {spec.plan!r} is not a billing plan", code="plan_not_found"
            )
    return {"name": official.name, "province": official.province_name, "template_version": template.version}


def register(ctx: StepContext) -> dict[str, Any]:
    """Catalog row, schema and role: one transaction in the registry (it never half-creates a commune).

    A commune this run creates is born suspended, in that same transaction, and stays so until `activate`:
    a worker that dies at any point before then leaves nothing anyone can use half-configured.
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
            suspended_reason=PROVISIONING_REASON,
        )
    except AppError as exc:
        if exc.code != "commune_exists":
            raise
        row = registry.get_commune(ctx.engine, spec.commune_code)
        return {"slug": row.slug, "created": False, "status": row.status}
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
    if not ctx.outputs.get("register", {}).get("created"):  # a commune this run created has it already
        with ctx.engine.begin() as conn:
            conn.execute(
                update(Tenant)
                .where(Tenant.id == tenant.id, Tenant.template.is_distinct_from(template.name))
                .values(template=template.name)
            )
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
    # The way in: a one-time password, sealed in the step's output until the provider takes it (once, see
    # POST /runs/{id}/admin-handover) and sent by SMS when the admin's phone is known.
    password = idp.issue_one_time_password(user_id)
    sms_sent = _send_handover_sms(admin.phone, tenant.name, username, password)
    return {
        "provider": provider,
        "organization": org,
        "admin_username": username,
        "admin_id": user_id,
        "sms_sent": sms_sent,
        "sms_phone": admin.phone if sms_sent else None,
        HANDOVER_KEY: {"enc": secrets.encrypt(password)},
    }


HANDOVER_KEY = "one_time_password"


def _send_handover_sms(phone: str | None, commune: str, username: str, password: str) -> bool:
    if not phone:
        return False
    from smartcommune.platform.identity.phones import normalize_phone
    from smartcommune.platform.identity.sms import get_sms_channel

    try:
        get_sms_channel().send(
            normalize_phone(phone),
            f"{commune}: tai khoan quan tri {username}, mat khau dung mot lan {password}. "
            "Doi mat khau khi dang nhap lan dau.",
        )
    except AppError:
        return False  # the provider still has the password on screen
    return True


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
        # The commune's camera profiles (as the template wrote them, or as the commune changed them).
        defaults = {c.code: c for c in db.scalars(select(CameraDefaults))}
    results = []
    for cam in spec.cameras:
        entry: dict[str, Any] = {"name": cam.name}
        preset = defaults.get(cam.profile) if cam.profile else None
        try:
            with tenant_transaction(tenant) as db:
                existing = db.scalar(select(Camera).where(Camera.name == cam.name))
                if existing is None:
                    existing = cameras.create(
                        db,
                        CameraIn.model_validate(
                            {
                                "name": cam.name,
                                "location": cam.location,
                                "stream_url": cam.stream_url,
                                "username": cam.username,
                                "password": cam.password,
                                **({"profile": preset.profile, "sensitivity": preset.sensitivity} if preset else {}),
                            }
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
        rules = _device_rules(db, [d.uid for d in spec.devices])
    return {"devices": len(issued), "rules": rules, "credentials_csv": {"enc": secrets.encrypt(csv_text)}}


def _device_rules(db: TenantSession, uids: list[str]) -> int:
    """Each device gets the commune's automation rules of its profile (itself as sensor and target).

    A device that already has a rule on that field, operator and command keeps it (renamed or tuned by the
    commune, or created by an earlier attempt): nothing is duplicated.
    """
    by_profile: dict[str, list[AutomationRule]] = {}
    for rule in db.scalars(select(AutomationRule)):
        by_profile.setdefault(rule.profile, []).append(rule)
    if not by_profile:
        return 0
    have = {
        (sensor, field_name, op, command)
        for sensor, field_name, op, command in db.execute(
            select(DeviceRule.sensor_device_id, DeviceRule.field, DeviceRule.op, DeviceRule.command)
        )
    }
    created = 0
    for device, profile_code in db.execute(
        select(Device, DeviceProfile.code).join(DeviceProfile).where(Device.uid.in_(uids))
    ).all():
        for rule in by_profile.get(profile_code, []):
            if (device.id, rule.field, rule.op, rule.command) in have:
                continue
            devices.create_rule(
                db,
                RuleIn(
                    name=f"{rule.name} — {device.name}",
                    kind="threshold",
                    sensor_device_id=device.id,
                    field=rule.field,
                    op=rule.op,  # type: ignore[arg-type]
                    threshold=rule.threshold,
                    clear_threshold=rule.clear_threshold,
                    duration_s=rule.duration_s,
                    target_device_id=device.id,
                    command=rule.command,
                    params=rule.params,
                ),
                actor=ACTOR,
                actor_kind=ACTOR_KIND,
            )
            created += 1
    return created


def verify(ctx: StepContext) -> dict[str, Any]:
    """Smoke checks through the platform's HTTP API (see runs.verify), as the first admin when there is one."""
    template = shipped(ctx.spec.template)
    tenant = ctx.tenant()
    admin_id = ctx.outputs.get("identity", {}).get("admin_id") if ctx.spec.admin is not None else None
    expect = {"villages": min(1, template.villages.count), "report_categories": 1, "procedures": 1}
    checked = api_checks.smoke_check(tenant, admin_id=admin_id, expect=expect)
    problems = checked.problems
    # With an embedded token GET /me proved the admin's role; with Keycloak tokens, ask the policy store.
    if ctx.spec.admin is not None and (
        admin_id is None
        or (not checked.as_admin and not holders_of(app_engine(), tenant.commune_code, ["commune_admin"]))
    ):
        problems.append("no commune_admin")
    if problems:
        raise InvalidInput(
            "Kiểm tra sau khởi tạo không đạt: " + ", ".join(problems),
            "Verification failed: " + ", ".join(problems),
            code="verify_failed",
        )
    return {**checked.counts, "api_calls": checked.calls, "as": checked.caller}


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
