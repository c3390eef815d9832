"""Criteria (targets come from templates as data), their monthly snapshots, and the provider's monthly
province roll-ups (a control table: one row per month, province and indicator)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, Float, Identity, Index, Integer, String, UniqueConstraint, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from smartcommune.tenants.control.models import ControlBase
from smartcommune.tenants.tenant_schema import TenantBase, commune_id


class Criterion(TenantBase):
    """One indicator of the smart-commune criteria set with its target (a percentage)."""

    __tablename__ = "criteria"

    id: Mapped[int] = commune_id()
    code: Mapped[str] = mapped_column(String(60), unique=True)
    name_vi: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str] = mapped_column(String(300))
    target_percent: Mapped[float] = mapped_column(Float)
    # Parameters of the computation (e.g. working-age bounds); `{}` means the documented defaults.
    params: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default=text("'{}'::jsonb"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class CriterionSnapshot(TenantBase):
    """The value of one indicator for one month (recomputing a month replaces its row)."""

    __tablename__ = "criteria_snapshots"
    __table_args__ = (UniqueConstraint("month", "code", name="uq_criteria_snapshots_month_code"),)

    id: Mapped[int] = commune_id()
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    code: Mapped[str] = mapped_column(String(60))
    value_percent: Mapped[float | None] = mapped_column(Float)
    target_percent: Mapped[float] = mapped_column(Float)
    numerator: Mapped[int] = mapped_column(BigInteger, default=0)
    denominator: Mapped[int] = mapped_column(BigInteger, default=0)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class CriteriaRollup(ControlBase):
    """One indicator pooled over a province's communes for one month (c0005); recomputing replaces it."""

    __tablename__ = "criteria_rollups"
    __table_args__ = (
        UniqueConstraint("month", "province_code", "code"),
        Index("ix_criteria_rollups_province_code_month", "province_code", "month"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    province_code: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(60))
    name_vi: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str] = mapped_column(String(300))
    value_percent: Mapped[float | None] = mapped_column(Float)
    numerator: Mapped[int] = mapped_column(BigInteger)
    denominator: Mapped[int] = mapped_column(BigInteger)
    communes: Mapped[int] = mapped_column(Integer)
    communes_met: Mapped[int] = mapped_column(Integer)
    communes_without_data: Mapped[int] = mapped_column(Integer)
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
