"""A commune's configuration as its template wrote it (t0012): enabled modules and the catalogues the domains
offer their users (survey templates, announcement channels, camera profiles, product categories, production
log types, automation rules per device profile). Each row is keyed by `code`; the commune may edit it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, DateTime, Float, Integer, String, func
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from smartcommune.tenants.tenant_schema import TenantBase, commune_id

# Every module a commune can have; the web apps hide the ones a commune has not enabled.
MODULES = (
    "villages",
    "residents",
    "announcements",
    "surveys",
    "reports",
    "procedures",
    "fees",
    "cameras",
    "devices",
    "production",
    "traceability",
    "automation",
    "listings",
)


class CommuneModule(TenantBase):
    __tablename__ = "commune_modules"

    id: Mapped[int] = commune_id()
    code: Mapped[str] = mapped_column(String(40), unique=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class SurveyTemplate(TenantBase):
    """Questions in the survey builder's shape ({kind, prompt, required, config}), ready to start a survey from."""

    __tablename__ = "survey_templates"

    id: Mapped[int] = commune_id()
    code: Mapped[str] = mapped_column(String(60), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    questions: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class AnnouncementChannel(TenantBase):
    """A named way to reach residents (app, sms, loudspeaker, zalo, email) the composer offers."""

    __tablename__ = "announcement_channels"

    id: Mapped[int] = commune_id()
    code: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    channels: Mapped[list[str]] = mapped_column(ARRAY(String(20)))
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class CameraProfile(TenantBase):
    """Defaults a camera registered with this profile gets (motion profile, sensitivity)."""

    __tablename__ = "camera_profiles"

    id: Mapped[int] = commune_id()
    code: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    profile: Mapped[str] = mapped_column(String(40), default="default")
    sensitivity: Mapped[int] = mapped_column(Integer, default=50)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ProductCategory(TenantBase):
    __tablename__ = "product_categories"

    id: Mapped[int] = commune_id()
    code: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ProductionLogType(TenantBase):
    """A local name for a production-log entry, mapped onto one of farmOS's log types (`log_type`)."""

    __tablename__ = "production_log_types"

    id: Mapped[int] = commune_id()
    code: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    log_type: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class AutomationRule(TenantBase):
    """A threshold rule for every device of a profile; onboarding a device of that profile creates its
    `device_rules` row from it (sensor and target: the device itself)."""

    __tablename__ = "automation_rules"

    id: Mapped[int] = commune_id()
    code: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    profile: Mapped[str] = mapped_column(String(60))
    field: Mapped[str] = mapped_column(String(60))
    op: Mapped[str] = mapped_column(String(10))  # below | above
    threshold: Mapped[float] = mapped_column(Float)
    clear_threshold: Mapped[float] = mapped_column(Float)
    duration_s: Mapped[int] = mapped_column(Integer, default=0)
    command: Mapped[str] = mapped_column(String(60))
    params: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
