from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, DateTime, Index, String, UniqueConstraint, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from smartcommune.tenants.tenant_schema import TenantBase, commune_id


class WebhookEvent(TenantBase):
    """Inbox of a commune's incoming webhooks: each (source, event id) is stored and processed once."""

    __tablename__ = "webhook_events"
    __table_args__ = (UniqueConstraint("source", "event_id", name="uq_webhook_events_source_event"),)

    id: Mapped[int] = commune_id()
    source: Mapped[str] = mapped_column(String(20))
    event_id: Mapped[str] = mapped_column(String(100))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)
    outcome: Mapped[str] = mapped_column(String(20), default="received")
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Payment(TenantBase):
    """A credit to the commune's account, matched (or not) to an invoice."""

    __tablename__ = "payments"
    __table_args__ = (Index("ix_payments_review", "needs_review", "id"),)

    id: Mapped[int] = commune_id()
    source: Mapped[str] = mapped_column(String(20))
    event_id: Mapped[str] = mapped_column(String(100))
    amount_vnd: Mapped[int] = mapped_column(BigInteger)
    memo: Mapped[str] = mapped_column(String(500), default="")
    bank_reference: Mapped[str | None] = mapped_column(String(100))
    reference: Mapped[str | None] = mapped_column(String(25), index=True)
    invoice_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    match: Mapped[str] = mapped_column(String(20))  # exact | partial | over | unmatched | card
    needs_review: Mapped[bool] = mapped_column(Boolean, default=False)
    resolution: Mapped[str | None] = mapped_column(String(20))
    resolution_note: Mapped[str | None] = mapped_column(String(500))
    resolved_by: Mapped[str | None] = mapped_column(String(120))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    transaction_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
