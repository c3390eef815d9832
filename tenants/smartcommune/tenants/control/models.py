"""Tables of the `control` schema. Only control-to-control foreign keys; tenant schemas never point here."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

CONTROL_SCHEMA = "control"

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

control_metadata = MetaData(schema=CONTROL_SCHEMA, naming_convention=NAMING)


class ControlBase(DeclarativeBase):
    metadata = control_metadata


def _now() -> Any:
    return mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)


class Tenant(ControlBase):
    __tablename__ = "tenants"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    slug: Mapped[str] = mapped_column(String(63), unique=True)
    commune_code: Mapped[int] = mapped_column(Integer, unique=True)
    province_code: Mapped[int] = mapped_column(Integer, index=True)
    name: Mapped[str] = mapped_column(String(200))
    province_name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), index=True, default="active")
    plan: Mapped[str] = mapped_column(String(40), default="standard")
    template: Mapped[str] = mapped_column(String(60), default="base")
    schema_name: Mapped[str] = mapped_column(String(63), unique=True)
    role_name: Mapped[str] = mapped_column(String(63), unique=True)
    schema_revision: Mapped[str] = mapped_column(String(64), index=True)
    suspended_reason: Mapped[str | None] = mapped_column(Text)
    search_text: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[datetime] = _now()
    updated_at: Mapped[datetime] = _now()


class TenantDomain(ControlBase):
    """Custom host names of a commune (its `<slug>.<base domain>` needs no row)."""

    __tablename__ = "tenant_domains"

    hostname: Mapped[str] = mapped_column(String(253), primary_key=True)
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = _now()


class MigrationLedger(ControlBase):
    """One row per commune per migration attempt of the fleet runner."""

    __tablename__ = "migration_ledger"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    run_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), index=True)
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    commune_code: Mapped[int] = mapped_column(Integer)
    from_revision: Mapped[str] = mapped_column(String(64))
    to_revision: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    duration_ms: Mapped[float] = mapped_column()
    error: Mapped[str | None] = mapped_column(Text)


class CasbinRule(ControlBase):
    """casbin policy lines. Shared permission rules use domain `*`; assignments carry the commune code."""

    __tablename__ = "casbin_rule"
    __table_args__ = (
        Index("uq_casbin_rule_line", "ptype", "v0", "v1", "v2", "v3", "v4", "v5", unique=True),
        Index("ix_casbin_rule_domain", "ptype", "v2"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    ptype: Mapped[str] = mapped_column(String(8))
    v0: Mapped[str] = mapped_column(String(255), default="", server_default="")
    v1: Mapped[str] = mapped_column(String(255), default="", server_default="")
    v2: Mapped[str] = mapped_column(String(255), default="", server_default="")
    v3: Mapped[str] = mapped_column(String(255), default="", server_default="")
    v4: Mapped[str] = mapped_column(String(255), default="", server_default="")
    v5: Mapped[str] = mapped_column(String(255), default="", server_default="")


class IdentityAccount(ControlBase):
    """Accounts of the embedded issuer (the same facts Keycloak keeps in production)."""

    __tablename__ = "identity_accounts"
    __table_args__ = (
        Index("uq_identity_accounts_username", "realm", "username", unique=True),
        Index("uq_identity_accounts_phone", "realm", "commune_code", "phone", unique=True),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    realm: Mapped[str] = mapped_column(String(40))
    commune_code: Mapped[int | None] = mapped_column(Integer, index=True)
    username: Mapped[str | None] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(254))
    display_name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str | None] = mapped_column(Text)
    realm_roles: Mapped[list[str]] = mapped_column(JSONB, default=list)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # a one-time password was issued (onboarding handover): the next password login must set a new one
    password_change_required: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    created_at: Mapped[datetime] = _now()


class OtpChallenge(ControlBase):
    __tablename__ = "otp_challenges"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    commune_code: Mapped[int] = mapped_column(Integer)
    phone: Mapped[str] = mapped_column(String(20))
    code_hash: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = _now()
    client_addr: Mapped[str | None] = mapped_column(String(64))  # who asked (limits per address, c0009)

    __table_args__ = (
        Index("ix_otp_challenges_phone", "commune_code", "phone", "created_at"),
        Index("ix_otp_challenges_client", "client_addr", "created_at"),
        Index("ix_otp_challenges_commune_time", "commune_code", "created_at"),
    )


class LoginThrottle(ControlBase):
    """Failed password logins per key: `account:<realm>:<username>` (known or not) or `address:<ip>`."""

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    first_failure_at: Mapped[datetime] = _now()
    last_failure_at: Mapped[datetime] = _now()
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AbuseAlarm(ControlBase):
    """A limit that tripped (OTP pumping from one address or against one commune, login guessing)."""

    __tablename__ = "abuse_alarms"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    commune_code: Mapped[int | None] = mapped_column(Integer)
    client_addr: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[str] = mapped_column(String(500), default="")
    count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = _now()

    __table_args__ = (Index("ix_abuse_alarms_time", "created_at"),)


class SigningKey(ControlBase):
    """RS256 keys of the embedded issuer. The newest active key signs; retired keys stay in the JWKS a while."""

    __tablename__ = "signing_keys"

    kid: Mapped[str] = mapped_column(String(64), primary_key=True)
    private_pem: Mapped[str] = mapped_column(Text)
    public_jwk: Mapped[dict[str, Any]] = mapped_column(JSONB)
    created_at: Mapped[datetime] = _now()
    retired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


# -- subscription billing of communes (c0002) ----------------------------------------------------------
class BillingPlan(ControlBase):
    """A plan: the Stripe price of the base fee and one metered price per usage meter."""

    __tablename__ = "billing_plans"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    base_price_id: Mapped[str] = mapped_column(String(100))
    # meter name (active_residents, cameras, devices) → {"price": Stripe price id, "event_name": meter event}
    meters: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    created_at: Mapped[datetime] = _now()


class BillingAccount(ControlBase):
    """A commune's Stripe customer and subscription, and where it stands with paying."""

    __tablename__ = "billing_accounts"

    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True)
    commune_code: Mapped[int] = mapped_column(Integer, unique=True)
    plan_code: Mapped[str] = mapped_column(ForeignKey("billing_plans.code"))
    stripe_customer_id: Mapped[str | None] = mapped_column(String(100), unique=True)
    stripe_subscription_id: Mapped[str | None] = mapped_column(String(100), unique=True)
    status: Mapped[str] = mapped_column(String(20), default="incomplete", index=True)
    unpaid_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    notice_sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    suspended_for_billing_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = _now()
    updated_at: Mapped[datetime] = _now()


class BillingUsageReport(ControlBase):
    """One meter event sent to Stripe: (commune, day, meter) is reported once, under a deterministic key."""

    __tablename__ = "billing_usage_reports"
    __table_args__ = (Index("uq_billing_usage_reports_key", "commune_code", "period", "meter", unique=True),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    commune_code: Mapped[int] = mapped_column(Integer)
    period: Mapped[str] = mapped_column(String(10))
    meter: Mapped[str] = mapped_column(String(40))
    value: Mapped[int] = mapped_column(BigInteger)
    idempotency_key: Mapped[str] = mapped_column(String(100), unique=True)
    reported_at: Mapped[datetime] = _now()


class ControlWebhookEvent(ControlBase):
    """Inbox of the control plane's webhooks (Stripe subscription billing): unique (source, event id)."""

    __tablename__ = "webhook_inbox"
    __table_args__ = (Index("uq_webhook_inbox_source_event", "source", "event_id", unique=True),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(20))
    event_id: Mapped[str] = mapped_column(String(100))
    event_type: Mapped[str] = mapped_column(String(100))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)
    outcome: Mapped[str] = mapped_column(String(40), default="received")
    received_at: Mapped[datetime] = _now()


class DeviceIndex(ControlBase):
    """Global index of device MQTT identities for broker authentication (password file / dynsec / auth hook).

    `username` is `{commune_code}.{device_uid}`; the device may use only `t/{commune_code}/d/{device_uid}/#`.
    `password_hash` is in Mosquitto's PBKDF2-SHA512 format (`$7$iterations$salt$hash`), so the broker can
    verify it without the platform ever keeping the secret.
    """

    __tablename__ = "device_index"

    username: Mapped[str] = mapped_column(String(100), primary_key=True)
    commune_code: Mapped[int] = mapped_column(Integer, index=True)
    device_uid: Mapped[str] = mapped_column(String(64))
    password_hash: Mapped[str] = mapped_column(String(300))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")
    created_at: Mapped[datetime] = _now()
    updated_at: Mapped[datetime] = _now()


# -- provisioning runs, steps and rollouts (c0004) --------------------------------------------------------
class ProvisioningRollout(ControlBase):
    """A batch of runs started together (a province, all communes, a manifest)."""

    __tablename__ = "provisioning_rollouts"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    scope: Mapped[str] = mapped_column(String(200))
    template: Mapped[str] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(String(20), default="running")
    requested_by: Mapped[str] = mapped_column(String(120))
    # manifest rows that were refused: [{"row": n, "reason": "..."}]
    rejected: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    created_at: Mapped[datetime] = _now()


class ProvisioningRun(ControlBase):
    """Onboarding of one commune: pending → running → succeeded | failed | cancelled."""

    __tablename__ = "provisioning_runs"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    rollout_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("provisioning_rollouts.id", ondelete="SET NULL"), index=True
    )
    commune_code: Mapped[int] = mapped_column(Integer, index=True)
    slug: Mapped[str | None] = mapped_column(String(63))
    template: Mapped[str] = mapped_column(String(60))
    # what to onboard: admin contact, cameras, devices (never a camera password in clear: see runs.service)
    spec: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    status: Mapped[str] = mapped_column(String(20), index=True, default="pending")
    current_step: Mapped[str | None] = mapped_column(String(40))
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = _now()
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ProvisioningStep(ControlBase):
    __tablename__ = "provisioning_steps"

    run_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("provisioning_runs.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    duration_ms: Mapped[float | None] = mapped_column()
    error: Mapped[str | None] = mapped_column(Text)
    output: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)


# --- h8: camera site network requests (c0009) ------------------------------------------------------------
class SiteNetworkRequest(ControlBase):
    """A commune's request to let camera traffic into one private network of its site.

    Commune admins request; provider staff approve or refuse (audited). Only an approved request writes the
    network into the commune's `site_networks` allow-list (smartcommune.provisioning.site_networks)."""

    __tablename__ = "site_network_requests"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    commune_code: Mapped[int] = mapped_column(Integer)
    cidr: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(String(200), default="", server_default="")
    status: Mapped[str] = mapped_column(String(20), index=True, default="pending")  # pending|approved|refused|revoked
    requested_by: Mapped[str] = mapped_column(String(120))
    requested_at: Mapped[datetime] = _now()
    decided_by: Mapped[str | None] = mapped_column(String(120))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decision_note: Mapped[str] = mapped_column(String(300), default="", server_default="")


# --- end h8 ---
