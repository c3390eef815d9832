"""Camera tables of a commune (tenant metadata)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Text, func
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from smartcommune.tenants.tenant_schema import TenantBase, commune_id


class SiteNetwork(TenantBase):
    """A network of the commune's own site that camera URLs may point into (allow-list for netguard)."""

    __tablename__ = "site_networks"

    id: Mapped[int] = commune_id()
    cidr: Mapped[str] = mapped_column(String(64), unique=True)
    note: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Camera(TenantBase):
    __tablename__ = "cameras"

    id: Mapped[int] = commune_id()
    name: Mapped[str] = mapped_column(String(200))
    location: Mapped[str] = mapped_column(String(300), default="")
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    stream_url: Mapped[str] = mapped_column(String(1000))  # never carries credentials
    username_enc: Mapped[str | None] = mapped_column(Text)
    password_enc: Mapped[str | None] = mapped_column(Text)
    profile: Mapped[str] = mapped_column(String(40), default="default")
    zones: Mapped[list[Any]] = mapped_column(JSONB, default=list)
    masks: Mapped[list[Any]] = mapped_column(JSONB, default=list)
    sensitivity: Mapped[int] = mapped_column(Integer, default=50)
    min_area: Mapped[float] = mapped_column(Float, default=0.01)
    motion_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[str] = mapped_column(String(20), default="unknown", index=True)
    status_reason: Mapped[str | None] = mapped_column(String(40))
    status_changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_checked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_frame_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_probe_ms: Mapped[float | None] = mapped_column(Float)
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    fps: Mapped[float | None] = mapped_column(Float)
    codec: Mapped[str | None] = mapped_column(String(20))
    model: Mapped[str | None] = mapped_column(String(120))
    manufacturer: Mapped[str | None] = mapped_column(String(120))  # ONVIF GetDeviceInformation
    firmware: Mapped[str | None] = mapped_column(String(120))
    serial_number: Mapped[str | None] = mapped_column(String(120))
    onvif_refreshed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    onvif_xaddr: Mapped[str | None] = mapped_column(String(500))  # device service URL (no credentials)
    snapshot_file_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class CameraEvent(TenantBase):
    """Sustained motion on a camera; officials may promote it to an incident linked to a field report."""

    __tablename__ = "camera_events"
    __table_args__ = (Index("ix_camera_events_camera_id_id", "camera_id", "id"),)

    id: Mapped[int] = commune_id()
    camera_id: Mapped[int] = mapped_column(ForeignKey("cameras.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20), default="motion")
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    peak_area: Mapped[float] = mapped_column(Float, default=0.0)
    snapshot_file_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    state: Mapped[str] = mapped_column(String(20), default="open", index=True)  # open | dismissed | incident
    incident_title: Mapped[str | None] = mapped_column(String(300))
    incident_note: Mapped[str | None] = mapped_column(Text)
    field_report_id: Mapped[str | None] = mapped_column(String(64))  # no FK: field reports live elsewhere
    promoted_by: Mapped[str | None] = mapped_column(String(120))
    promoted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
