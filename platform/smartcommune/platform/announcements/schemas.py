from __future__ import annotations

import uuid
from datetime import datetime
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import FromClause

from smartcommune.platform.announcements.models import Announcement
from smartcommune.platform.common.patch import PatchModel
from smartcommune.platform.common.text import PlainText
from smartcommune.platform.residents.schemas import GroupCode

Priority = Literal["normal", "urgent", "emergency"]
Channel = Literal["push", "sms", "zalo"]


class Targeting(BaseModel):
    """Whole commune, or residents of the listed villages and/or in the listed groups (both: both hold)."""

    whole_commune: bool = True
    village_ids: list[int] = Field(default_factory=list, max_length=200)
    groups: list[GroupCode] = Field(default_factory=list, max_length=50)

    @model_validator(mode="after")
    def _some_target(self) -> Targeting:
        if not self.whole_commune and not self.village_ids and not self.groups:
            raise ValueError("chọn cả xã, thôn hoặc nhóm / choose the whole commune, villages or groups")
        if self.whole_commune:
            self.village_ids, self.groups = [], []
        return self


class AnnouncementIn(BaseModel):
    title: PlainText = Field(min_length=1, max_length=200)
    body: PlainText = Field(min_length=1, max_length=10_000)
    priority: Priority = "normal"
    publish_at: datetime | None = None  # None: now
    expires_at: datetime | None = None
    target: Targeting = Field(default_factory=Targeting)
    channels: list[Channel] = Field(
        default_factory=lambda: list[Channel](["push"]), max_length=3
    )  # the inbox is always used
    loudspeaker: bool = False
    attachment_ids: list[uuid.UUID] = Field(default_factory=list, max_length=10)

    @model_validator(mode="after")
    def _aware_dates(self) -> AnnouncementIn:
        for value in (self.publish_at, self.expires_at):
            if value is not None and value.tzinfo is None:
                raise ValueError("thời gian cần múi giờ / datetimes need a timezone (e.g. +07:00)")
        return self


class AttachmentOut(BaseModel):
    id: uuid.UUID
    name: str
    content_type: str
    size_bytes: int


class AnnouncementOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    body: str
    priority: str
    status: str
    publish_at: datetime
    expires_at: datetime | None
    whole_commune: bool
    target_village_ids: list[int]
    target_groups: list[str]
    channels: list[str]
    loudspeaker: bool
    recipients: int
    created_by: str
    created_at: datetime
    published_at: datetime | None
    attachments: list[AttachmentOut] = Field(default_factory=list)


class DeliveryOut(BaseModel):
    id: int
    resident_id: int
    channel: str
    status: str
    attempts: int
    error: str | None
    queued_at: datetime
    sent_at: datetime | None
    delivered_at: datetime | None = None


class DeliveryReport(BaseModel):
    announcement_id: int
    recipients: int
    summary: dict[str, dict[str, int]]  # channel → status → count
    items: list[DeliveryOut]


class LoudspeakerItem(BaseModel):
    announcement_id: int
    village_id: int
    village_name: str
    read_at: datetime
    priority: str
    text: str


class PushSubscriptionIn(BaseModel):
    """`PushSubscription.toJSON()` from the browser."""

    endpoint: str = Field(min_length=10, max_length=2000, pattern=r"^https://")
    keys: dict[str, str]
    user_agent: str | None = Field(default=None, max_length=300)

    @model_validator(mode="after")
    def _keys(self) -> PushSubscriptionIn:
        if not self.keys.get("p256dh") or not self.keys.get("auth"):
            raise ValueError("keys.p256dh và keys.auth là bắt buộc / keys.p256dh and keys.auth are required")
        if len(self.keys["p256dh"]) > 200 or len(self.keys["auth"]) > 100:
            raise ValueError("khóa quá dài / key too long")
        return self


class PushKeyOut(BaseModel):
    public_key: str


class AnnouncementPatch(PatchModel):
    table: ClassVar[FromClause] = Announcement.__table__  # null only where the column is nullable
    """Edits to an announcement not yet published (status `scheduled`); omitted fields stay as they are."""

    title: PlainText | None = Field(default=None, min_length=1, max_length=200)
    body: PlainText | None = Field(default=None, min_length=1, max_length=10_000)
    priority: Priority | None = None
    publish_at: datetime | None = None
    expires_at: datetime | None = None
    target: Targeting | None = None
    channels: list[Channel] | None = Field(default=None, max_length=3)
    loudspeaker: bool | None = None
    attachment_ids: list[uuid.UUID] | None = Field(default=None, max_length=10)

    @model_validator(mode="after")
    def _aware_dates(self) -> AnnouncementPatch:
        for value in (self.publish_at, self.expires_at):
            if value is not None and value.tzinfo is None:
                raise ValueError("thời gian cần múi giờ / datetimes need a timezone (e.g. +07:00)")
        return self


class DeliveryReportAck(BaseModel):
    ok: bool
    outcome: str  # applied | duplicate | pending | unknown_message | ignored
