from __future__ import annotations

import uuid
from datetime import datetime
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import FromClause

from smartcommune.platform.common.patch import PatchModel
from smartcommune.platform.common.text import PlainText
from smartcommune.platform.reports.models import ReportCategory

ReportStatus = Literal["new", "accepted", "in_progress", "resolved", "closed", "rejected", "duplicate"]


class CategoryIn(BaseModel):
    code: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_.-]+$")
    name: PlainText = Field(min_length=1, max_length=200)
    description: PlainText = Field(default="", max_length=2000)
    sla_hours: int = Field(ge=1, le=24 * 365)
    responsible_role: str = Field(default="commune_official", pattern=r"^[a-z][a-z0-9_]{1,62}$")
    group_name: PlainText = Field(default="", max_length=100)


class CategoryPatch(PatchModel):
    table: ClassVar[FromClause] = ReportCategory.__table__  # null only where the column is nullable
    name: PlainText | None = Field(default=None, min_length=1, max_length=200)
    description: PlainText | None = Field(default=None, max_length=2000)
    sla_hours: int | None = Field(default=None, ge=1, le=24 * 365)
    responsible_role: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9_]{1,62}$")
    group_name: PlainText | None = Field(default=None, max_length=100)
    active: bool | None = None


class CategoryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    name: str
    description: str
    sla_hours: int
    responsible_role: str
    group_name: str
    active: bool


class ReportForm(BaseModel):
    """The fields of a submission (multipart form, photos alongside)."""

    category_id: int
    description: PlainText = Field(min_length=1, max_length=4000)
    lat: float | None = Field(default=None, ge=-90, le=90)
    lng: float | None = Field(default=None, ge=-180, le=180)
    address_code: str | None = Field(default=None, max_length=60, pattern=r"^[A-Za-z0-9+_.\-/ ]+$")
    address: PlainText | None = Field(default=None, max_length=300)
    anonymous: bool = False
    reporter_name: PlainText | None = Field(default=None, max_length=120)
    client_ref: uuid.UUID | None = None  # set by the app once per report; a resend with it is not a new report


class TransitionIn(BaseModel):
    to: ReportStatus
    note: PlainText = Field(default="", max_length=2000)
    duplicate_of: int | None = None


class CommentIn(BaseModel):
    body: PlainText = Field(min_length=1, max_length=2000)


class AssignIn(BaseModel):
    # 64: the assignee is an account subject and gets an inbox item (inbox_items.recipient is String(64)).
    assignee: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._@:+-]*$")


class StaffOut(BaseModel):
    """An official of the commune, as the assignee picker shows them."""

    id: str  # the account subject: what `assignee` stores
    display_name: str
    username: str | None


class RatingIn(BaseModel):
    rating: int = Field(ge=1, le=5)
    comment: PlainText = Field(default="", max_length=1000)


class ModerationIn(BaseModel):
    hidden: bool | None = None
    redacted_description: PlainText | None = Field(default=None, max_length=4000)
    clear_redaction: bool = False
    hide_photos: list[int] = Field(default_factory=list, max_length=5)
    show_photos: list[int] = Field(default_factory=list, max_length=5)
    reason: PlainText = Field(min_length=1, max_length=500)


class PhotoOut(BaseModel):
    id: int
    position: int
    hidden: bool


class EventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    from_status: str | None
    to_status: str | None
    body: str
    internal: bool
    actor: str
    created_at: datetime


class ReportOut(BaseModel):
    """What the reporter and the commune's officials see."""

    id: int
    token: str
    category_id: int
    status: str
    description: str
    redacted_description: str | None
    source: str
    anonymous: bool
    reporter_name: str | None
    lat: float | None
    lng: float | None
    address_code: str | None
    address: str | None
    assignee: str | None
    assignee_name: str | None = None  # the assigned official's display name
    duplicate_of: int | None
    hidden: bool
    sla_due_at: datetime
    overdue: bool
    escalated_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    rating: int | None
    rating_comment: str | None
    created_at: datetime
    updated_at: datetime
    photos: list[PhotoOut]


class ReportDetail(ReportOut):
    # For officials: who reported (resident record or account name, and phone) unless the report is anonymous.
    reporter_display: str | None = None
    reporter_phone: str | None = None
    events: list[EventOut]


class PublicReport(BaseModel):
    """What anyone sees: no reporter identity (a name only if the reporter gave one and is not anonymous)."""

    id: int
    category_code: str
    category_name: str
    status: str
    description: str
    reporter_name: str | None
    lat: float | None
    lng: float | None
    address_code: str | None
    address: str | None
    overdue: bool
    created_at: datetime
    updated_at: datetime
    resolved_at: datetime | None
    photo_ids: list[int]


class ReportStats(BaseModel):
    total: int
    by_status: dict[str, int]
    by_category: dict[str, int]
    resolved: int
    median_resolution_hours: float | None
    resolved_within_sla_share: float | None
    open_overdue: int
