from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from smartcommune.tenants.tenant_schema import TenantBase, commune_id

OPEN_STATUSES = ("new", "accepted", "in_progress")
CLOSED_STATUSES = ("resolved", "closed", "rejected", "duplicate")
STATUSES = OPEN_STATUSES + CLOSED_STATUSES


class ReportCategory(TenantBase):
    __tablename__ = "report_categories"

    id: Mapped[int] = commune_id()
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    sla_hours: Mapped[int] = mapped_column(Integer)
    responsible_role: Mapped[str] = mapped_column(String(63))
    group_name: Mapped[str] = mapped_column(String(100), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Report(TenantBase):
    __tablename__ = "reports"
    __table_args__ = (
        Index("ix_reports_reporter_created_at", "reporter", "created_at"),
        Index("ix_reports_status_sla_due_at", "status", "sla_due_at"),
        Index("ix_reports_created_at", "created_at"),
        Index(
            "uq_reports_reporter_client_ref",
            "reporter",
            "client_ref",
            unique=True,
            postgresql_where=text("client_ref IS NOT NULL"),
        ),
        # The public list and map: newest non-hidden reports (with a point, for the map).
        Index("ix_reports_public_id", text("id DESC"), postgresql_where=text("hidden IS false")),
        Index(
            "ix_reports_public_map_id", text("id DESC"), postgresql_where=text("hidden IS false AND lat IS NOT NULL")
        ),
    )

    id: Mapped[int] = commune_id()
    token: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), unique=True, default=uuid.uuid4)
    # The app's own id for a submission: a phone that resends after a lost answer gets the same report back.
    client_ref: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    category_id: Mapped[int] = mapped_column(ForeignKey("report_categories.id"), index=True)
    description: Mapped[str] = mapped_column(Text)
    redacted_description: Mapped[str | None] = mapped_column(Text)  # what the public sees after moderation
    status: Mapped[str] = mapped_column(String(20), default="new")
    source: Mapped[str] = mapped_column(String(20), default="app")  # app | open311
    reporter: Mapped[str | None] = mapped_column(String(64))  # account subject; None for Open311 clients
    reporter_name: Mapped[str | None] = mapped_column(String(120))
    reporter_contact: Mapped[str | None] = mapped_column(String(200))  # never shown publicly
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    lat: Mapped[float | None] = mapped_column(Float)
    lng: Mapped[float | None] = mapped_column(Float)
    address_code: Mapped[str | None] = mapped_column(String(60))
    address: Mapped[str | None] = mapped_column(String(300))
    assignee: Mapped[str | None] = mapped_column(String(120))
    duplicate_of: Mapped[int | None] = mapped_column(ForeignKey("reports.id"))
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    sla_due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    escalated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    status_note: Mapped[str | None] = mapped_column(Text)
    rating: Mapped[int | None] = mapped_column(SmallInteger)
    rating_comment: Mapped[str | None] = mapped_column(Text)
    api_key_id: Mapped[int | None] = mapped_column(ForeignKey("open311_api_keys.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ReportPhoto(TenantBase):
    __tablename__ = "report_photos"

    id: Mapped[int] = commune_id()
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    file_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("files.id"))
    position: Mapped[int] = mapped_column(SmallInteger)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)


class ReportEvent(TenantBase):
    """The report's history: status changes, comments (seen by the reporter), internal notes, assignment."""

    __tablename__ = "report_events"

    id: Mapped[int] = commune_id()
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # status | comment | note | assign | moderation | rating
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    body: Mapped[str] = mapped_column(Text, default="")
    internal: Mapped[bool] = mapped_column(Boolean, default=False)
    actor: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Open311ApiKey(TenantBase):
    """Keys of Open311 clients of this commune; only a SHA-256 of the key is kept."""

    __tablename__ = "open311_api_keys"

    id: Mapped[int] = commune_id()
    name: Mapped[str] = mapped_column(String(120))
    prefix: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
