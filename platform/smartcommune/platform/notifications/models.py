from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from smartcommune.tenants.tenant_schema import TenantBase, commune_id


class PushSubscription(TenantBase):
    """A browser's Web Push subscription (PushSubscription.toJSON()) of one account of this commune."""

    __tablename__ = "push_subscriptions"

    id: Mapped[int] = commune_id()
    subject: Mapped[str] = mapped_column(String(64), index=True)  # the account (token `sub`)
    endpoint: Mapped[str] = mapped_column(Text, unique=True)
    p256dh: Mapped[str] = mapped_column(String(200))
    auth: Mapped[str] = mapped_column(String(100))
    user_agent: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
