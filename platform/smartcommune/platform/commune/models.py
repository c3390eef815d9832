"""The commune's settings and branding (t0015): one row per commune schema."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, DateTime, String, func
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from smartcommune.tenants.tenant_schema import COMMUNE_IDS, TenantBase

SETTINGS_ROW = 1
REPORTS_PUBLIC_AFTER = ("accepted", "submitted")
"""When a new field report becomes public: once an official accepted it (the default), or at once."""


class CommuneSettings(TenantBase):
    """The one row is `id = 1` (CHECK); the key still has the schema sequence as default, like every table."""

    __tablename__ = "commune_settings"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(
        BigInteger, primary_key=True, default=SETTINGS_ROW, server_default=COMMUNE_IDS.next_value()
    )
    display_name: Mapped[str | None] = mapped_column(String(200))
    primary_color: Mapped[str | None] = mapped_column(String(7))
    logo_file_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    contact_phone: Mapped[str | None] = mapped_column(String(30))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    address: Mapped[str | None] = mapped_column(String(300))
    office_hours: Mapped[str | None] = mapped_column(String(500))
    reports_public_after: Mapped[str] = mapped_column(String(20), default="accepted", server_default="accepted")
    updated_by: Mapped[str | None] = mapped_column(String(120))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
