"""Criteria (targets come from templates as data) and their monthly snapshots."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, Float, Identity, String, UniqueConstraint, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from smartcommune.tenants.tenant_schema import TenantBase


class Criterion(TenantBase):
    """One indicator of the smart-commune criteria set with its target (a percentage)."""

    __tablename__ = "criteria"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    name_vi: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str] = mapped_column(String(300))
    target_percent: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class CriterionSnapshot(TenantBase):
    """The value of one indicator for one month (recomputing a month replaces its row)."""

    __tablename__ = "criteria_snapshots"
    __table_args__ = (UniqueConstraint("month", "code", name="uq_criteria_snapshots_month_code"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    code: Mapped[str] = mapped_column(String(60))
    value_percent: Mapped[float | None] = mapped_column(Float)
    target_percent: Mapped[float] = mapped_column(Float)
    numerator: Mapped[int] = mapped_column(BigInteger, default=0)
    denominator: Mapped[int] = mapped_column(BigInteger, default=0)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
