"""Device tables of a commune (tenant metadata)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from smartcommune.tenants.tenant_schema import TenantBase, commune_id


class DeviceProfile(TenantBase):
    """Telemetry fields ({name, unit, min, max}), commands ({name, params: {p: {min, max}}}), alarm rules."""

    __tablename__ = "device_profiles"

    id: Mapped[int] = commune_id()
    code: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    fields: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    commands: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    alarm_rules: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Device(TenantBase):
    __tablename__ = "devices"

    id: Mapped[int] = commune_id()
    uid: Mapped[str] = mapped_column(String(64), unique=True)  # the {device} of its MQTT topics
    serial: Mapped[str] = mapped_column(String(120))
    name: Mapped[str] = mapped_column(String(200))
    profile_id: Mapped[int] = mapped_column(ForeignKey("device_profiles.id"), index=True)
    location: Mapped[str] = mapped_column(String(300), default="")
    latitude: Mapped[float | None] = mapped_column(Float)  # WGS 84, for the devices map layer
    longitude: Mapped[float | None] = mapped_column(Float)
    mqtt_username: Mapped[str] = mapped_column(String(100), unique=True)
    credentials_issued_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    # Presence as last notified (devices.tasks.presence_sweep): unknown | online | offline.
    presence: Mapped[str] = mapped_column(String(20), default="unknown", server_default="unknown")
    presence_changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Telemetry(TenantBase):
    __tablename__ = "telemetry"
    __table_args__ = (Index("ix_telemetry_device_id_ts", "device_id", "ts"),)

    id: Mapped[int] = commune_id()
    device_id: Mapped[int] = mapped_column(BigInteger)  # no FK: bulk inserts stay cheap
    ts: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    data: Mapped[dict[str, Any]] = mapped_column(JSONB)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class DeadLetter(TenantBase):
    """Telemetry that could not be stored: malformed, unknown field, out of range."""

    __tablename__ = "telemetry_dead_letters"

    id: Mapped[int] = commune_id()
    device_uid: Mapped[str] = mapped_column(String(64), index=True)
    topic: Mapped[str] = mapped_column(String(300))
    payload: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(String(60))
    detail: Mapped[str | None] = mapped_column(String(300))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class DeviceCommand(TenantBase):
    """An RPC: its id is the correlation id on `rpc/req/{id}` and `rpc/res/{id}`."""

    __tablename__ = "device_commands"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    params: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    source: Mapped[str] = mapped_column(String(20), default="user")  # user | rule | schedule
    requested_by: Mapped[str] = mapped_column(String(120))
    timeout_s: Mapped[int] = mapped_column(Integer, default=30)
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    responded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    result: Mapped[dict[str, Any] | None] = mapped_column(JSONB)


class DeviceRule(TenantBase):
    """`threshold`: field below/above X for N s → command + alarm + notify; clears past Y (hysteresis).
    `schedule`: daily at HH:MM send the command for N minutes, unless rain ≥ R mm in the last H hours."""

    __tablename__ = "device_rules"

    id: Mapped[int] = commune_id()
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    sensor_device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"), index=True)
    field: Mapped[str | None] = mapped_column(String(60))
    op: Mapped[str | None] = mapped_column(String(10))  # below | above
    threshold: Mapped[float | None] = mapped_column(Float)
    clear_threshold: Mapped[float | None] = mapped_column(Float)
    duration_s: Mapped[int] = mapped_column(Integer, default=0)
    target_device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"))
    command: Mapped[str | None] = mapped_column(String(60))
    params: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    notify: Mapped[bool] = mapped_column(Boolean, default=True)
    time_of_day: Mapped[str | None] = mapped_column(String(5))
    duration_min: Mapped[int | None] = mapped_column(Integer)
    rain_device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id", ondelete="SET NULL"))
    rain_field: Mapped[str | None] = mapped_column(String(60))
    rain_threshold: Mapped[float | None] = mapped_column(Float)
    rain_window_h: Mapped[int] = mapped_column(Integer, default=24)
    state: Mapped[str] = mapped_column(String(20), default="ok")  # ok | pending | firing
    pending_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_run_on: Mapped[date | None] = mapped_column(Date)
    last_outcome: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Alarm(TenantBase):
    __tablename__ = "alarms"

    id: Mapped[int] = commune_id()
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"), index=True)
    rule_id: Mapped[int | None] = mapped_column(ForeignKey("device_rules.id", ondelete="SET NULL"))
    profile_rule: Mapped[str | None] = mapped_column(String(100))  # "field:op:threshold" of a profile alarm rule
    severity: Mapped[str] = mapped_column(String(20), default="warning")
    message: Mapped[str] = mapped_column(String(300))
    value: Mapped[float | None] = mapped_column(Float)
    state: Mapped[str] = mapped_column(String(20), default="active", index=True)  # active | acknowledged | cleared
    raised_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    acknowledged_by: Mapped[str | None] = mapped_column(String(120))
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cleared_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
