from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import FromClause

from smartcommune.platform.common.patch import PatchModel
from smartcommune.platform.common.text import PlainText
from smartcommune.platform.procedures.models import Procedure

Mode = Literal["online", "in_person", "both"]
Channel = Literal["online", "counter"]
ApplicationStatus = Literal[
    "received", "processing", "needs_info", "approved", "rejected", "ready_for_pickup", "delivered"
]


class ProcedureIn(BaseModel):
    code: str = Field(min_length=1, max_length=60, pattern=r"^[A-Za-z0-9_.-]+$")
    name: PlainText = Field(min_length=1, max_length=300)
    field: PlainText = Field(min_length=1, max_length=120)
    required_documents: list[PlainText] = Field(default_factory=list, max_length=50)
    fee_vnd: int = Field(default=0, ge=0, le=1_000_000_000)
    fee_note: PlainText = Field(default="", max_length=1000)
    processing_days: int = Field(ge=0, le=365)
    legal_basis: PlainText = Field(default="", max_length=4000)
    mode: Mode = "online"


class ProcedurePatch(PatchModel):
    table: ClassVar[FromClause] = Procedure.__table__  # null only where the column is nullable
    name: PlainText | None = Field(default=None, min_length=1, max_length=300)
    field: PlainText | None = Field(default=None, min_length=1, max_length=120)
    required_documents: list[PlainText] | None = Field(default=None, max_length=50)
    fee_vnd: int | None = Field(default=None, ge=0, le=1_000_000_000)
    fee_note: PlainText | None = Field(default=None, max_length=1000)
    processing_days: int | None = Field(default=None, ge=0, le=365)
    legal_basis: PlainText | None = Field(default=None, max_length=4000)
    mode: Mode | None = None
    active: bool | None = None


class ProcedureOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    name: str
    field: str
    required_documents: list[str]
    fee_vnd: int
    fee_note: str
    processing_days: int
    legal_basis: str
    mode: str
    active: bool


class ApplicationForm(BaseModel):
    procedure_id: int
    applicant_name: PlainText = Field(min_length=1, max_length=120)
    applicant_phone: str | None = Field(default=None, pattern=r"^\+?[0-9 .-]{8,20}$")
    details: PlainText = Field(default="", max_length=4000)


class CounterApplicationForm(ApplicationForm):
    """An application an official registers at the one-stop desk for someone who came in person;
    `resident_id` links it to the resident's record (and their account, so it shows in their app)."""

    resident_id: int | None = None


class SupplementForm(BaseModel):
    note: PlainText = Field(default="", max_length=2000)


class TransitionIn(BaseModel):
    to: ApplicationStatus
    note: PlainText = Field(default="", max_length=2000)


class AttachmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    label: str
    added_by: str
    created_at: datetime


class EventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    from_status: str | None
    to_status: str
    note: str
    actor: str
    created_at: datetime


class ApplicationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    procedure_id: int
    applicant_name: str
    applicant_phone: str | None
    details: str
    channel: str
    status: str
    due_date: date
    overdue: bool = False
    submitted_at: datetime
    decided_at: datetime | None
    ready_at: datetime | None
    updated_at: datetime


class ApplicationDetail(ApplicationOut):
    attachments: list[AttachmentOut]
    history: list[EventOut]


class Counters(BaseModel):
    received: int
    received_online: int
    in_progress: int
    decided: int
    decided_on_time: int
    on_time_share: float | None
    overdue_open: int
