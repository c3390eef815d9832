"""Request and response shapes of the commune's settings and branding."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from smartcommune.platform.common.text import PlainText


class CommuneSettingsIn(BaseModel):
    """The whole set (PUT replaces it); an empty or omitted field falls back to the platform's default."""

    display_name: PlainText | None = Field(default=None, max_length=200)
    primary_color: str | None = Field(default=None, pattern=r"^#[0-9A-Fa-f]{6}$", examples=["#0b6b3a"])
    contact_phone: str | None = Field(default=None, max_length=30, pattern=r"^\+?[0-9 .()-]{6,30}$")
    contact_email: str | None = Field(
        default=None, max_length=254, pattern=r"^[^@\s<>]+@[^@\s<>]+\.[A-Za-z]{2,}$", examples=["ubnd@camlo.gov.vn"]
    )
    address: PlainText | None = Field(default=None, max_length=300)
    office_hours: PlainText | None = Field(default=None, max_length=500)
    reports_public_after: Literal["accepted", "submitted"] | None = Field(
        default=None,
        description="When a new field report becomes public (list, map, Open311): once an official accepted it "
        "(`accepted`, the default) or at once (`submitted`). Omitted: stays as it is.",
    )


class CommuneBranding(BaseModel):
    """What anyone may see: the name, colour and logo the apps show, and how to reach the commune office."""

    name: str  # display name, else the official name
    primary_color: str | None
    logo_url: str | None  # relative to the commune's /api/v1 prefix, with a version for caching
    contact_phone: str | None
    contact_email: str | None
    address: str | None
    office_hours: str | None


class CommuneSettingsOut(CommuneBranding):
    display_name: str | None
    official_name: str
    has_logo: bool
    reports_public_after: Literal["accepted", "submitted"]
    updated_by: str | None
    updated_at: datetime | None
