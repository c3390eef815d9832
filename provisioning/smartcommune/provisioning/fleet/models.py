"""The control table the fleet-health job writes (migration c0006)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column

from smartcommune.tenants.control.models import ControlBase


class FleetHealth(ControlBase):
    """The last measurement of one commune; `problems` is the sum the console sorts by."""

    __tablename__ = "fleet_health"

    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True)
    commune_code: Mapped[int] = mapped_column(Integer, unique=True)
    cameras_total: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    cameras_offline: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    devices_total: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    devices_offline: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    reports_open: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    reports_overdue: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    problems: Mapped[int] = mapped_column(Integer, default=0, server_default="0", index=True)
    error: Mapped[str | None] = mapped_column(String(300))
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
