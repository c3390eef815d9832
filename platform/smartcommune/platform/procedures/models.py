from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from smartcommune.tenants.tenant_schema import TenantBase, commune_id


class Procedure(TenantBase):
    __tablename__ = "procedures"

    id: Mapped[int] = commune_id()
    code: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    field: Mapped[str] = mapped_column(String(120))
    required_documents: Mapped[list[str]] = mapped_column(JSONB, default=list)
    fee_vnd: Mapped[int] = mapped_column(BigInteger, default=0)
    fee_note: Mapped[str] = mapped_column(Text, default="")
    processing_days: Mapped[int] = mapped_column(Integer)
    legal_basis: Mapped[str] = mapped_column(Text, default="")
    mode: Mapped[str] = mapped_column(String(20), default="online")  # online | in_person | both
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Application(TenantBase):
    __tablename__ = "applications"
    __table_args__ = (Index("ix_applications_applicant_submitted_at", "applicant", "submitted_at"),)

    id: Mapped[int] = commune_id()
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedures.id"), index=True)
    # The applicant's account subject; empty for a counter applicant who has no account.
    applicant: Mapped[str | None] = mapped_column(String(64))
    applicant_name: Mapped[str] = mapped_column(String(120))
    applicant_phone: Mapped[str | None] = mapped_column(String(20))
    details: Mapped[str] = mapped_column(Text, default="")
    # online: the resident filed it in the app; counter: an official registered it at the one-stop desk.
    channel: Mapped[str] = mapped_column(String(20), default="online", server_default="online")
    registered_by: Mapped[str | None] = mapped_column(String(120))  # the official, for counter applications
    status: Mapped[str] = mapped_column(String(20), default="received", index=True)
    due_date: Mapped[date] = mapped_column(Date)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    ready_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ApplicationFile(TenantBase):
    __tablename__ = "application_files"

    id: Mapped[int] = commune_id()
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    file_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("files.id"))
    label: Mapped[str] = mapped_column(String(200), default="")
    added_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ApplicationEvent(TenantBase):
    """The history the applicant sees: every status change with the official's note."""

    __tablename__ = "application_events"

    id: Mapped[int] = commune_id()
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    actor: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
