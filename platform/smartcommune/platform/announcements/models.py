from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from smartcommune.tenants.tenant_schema import TenantBase, commune_id

PRIORITIES = ("normal", "urgent", "emergency")
PRIORITY_RANK = {"emergency": 0, "urgent": 1, "normal": 2}  # lower is sent first
CHANNELS = ("inbox", "push", "sms", "zalo")
DELIVERY_STATUSES = ("queued", "sent", "delivered", "read", "failed")


class Announcement(TenantBase):
    __tablename__ = "announcements"
    __table_args__ = (Index("ix_announcements_status_publish_at", "status", "publish_at"),)

    id: Mapped[int] = commune_id()
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    priority: Mapped[str] = mapped_column(String(20), default="normal")
    status: Mapped[str] = mapped_column(String(20), default="scheduled")  # scheduled | published | cancelled
    publish_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    whole_commune: Mapped[bool] = mapped_column(Boolean, default=True)
    target_village_ids: Mapped[list[int]] = mapped_column(ARRAY(BigInteger), server_default=text("'{}'::bigint[]"))
    target_groups: Mapped[list[str]] = mapped_column(ARRAY(String(40)), server_default=text("'{}'::varchar[]"))
    channels: Mapped[list[str]] = mapped_column(ARRAY(String(20)), server_default=text("'{}'::varchar[]"))
    loudspeaker: Mapped[bool] = mapped_column(Boolean, default=False)
    recipients: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AnnouncementAttachment(TenantBase):
    __tablename__ = "announcement_attachments"

    announcement_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("announcements.id", ondelete="CASCADE"), primary_key=True
    )
    file_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), ForeignKey("files.id"), primary_key=True)


class Delivery(TenantBase):
    """One announcement to one resident over one channel. Rows in `queued` are the outbox a task drains."""

    __tablename__ = "announcement_deliveries"
    __table_args__ = (
        UniqueConstraint("announcement_id", "resident_id", "channel"),
        Index(
            "ix_announcement_deliveries_queue",
            "priority",
            "id",
            postgresql_where=text("status = 'queued'"),
        ),
        Index(
            "ix_announcement_deliveries_provider_message_id",
            "channel",
            "provider_message_id",
            postgresql_where=text("provider_message_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = commune_id()
    announcement_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("announcements.id", ondelete="CASCADE"))
    resident_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("residents.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    priority: Mapped[int] = mapped_column(SmallInteger, default=2)
    status: Mapped[str] = mapped_column(String(20), default="queued")
    attempts: Mapped[int] = mapped_column(SmallInteger, default=0)
    error: Mapped[str | None] = mapped_column(String(500))
    provider_message_id: Mapped[str | None] = mapped_column(String(120))
    queued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class DeliveryReportRow(TenantBase):
    """A provider's delivery report (eSMS.vn callback, Zalo ZNS webhook), stored once per message id."""

    __tablename__ = "delivery_reports"
    __table_args__ = (UniqueConstraint("provider", "provider_message_id", name="uq_delivery_reports_provider_message"),)

    id: Mapped[int] = commune_id()
    provider: Mapped[str] = mapped_column(String(20))  # esms | zalo
    provider_message_id: Mapped[str] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(20))  # delivered | failed | pending
    reason: Mapped[str | None] = mapped_column(String(500))
    delivery_id: Mapped[int | None] = mapped_column(BigInteger)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
