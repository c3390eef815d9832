from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sqlalchemy import FromClause

from smartcommune.platform.common.patch import PatchModel
from smartcommune.platform.common.text import PlainText
from smartcommune.platform.residents.models import Household, Resident

HouseNumber = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40, pattern=r"^[\w./-]+$")
]
GroupCode = Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True, pattern=r"^[A-Za-z0-9_]{1,40}$")]
ResidentStatus = Literal["pending", "verified", "rejected"]


class HouseholdIn(BaseModel):
    village_id: int
    house_number: HouseNumber
    head_name: PlainText | None = Field(default=None, max_length=200)
    address_line: PlainText | None = Field(default=None, max_length=300)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)


class HouseholdPatch(PatchModel):
    table: ClassVar[FromClause] = Household.__table__  # null only where the column is nullable
    village_id: int | None = None
    head_name: PlainText | None = Field(default=None, max_length=200)
    address_line: PlainText | None = Field(default=None, max_length=300)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)


class HouseholdOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    village_id: int
    house_number: str
    head_name: str | None
    address_line: str | None
    latitude: float | None
    longitude: float | None
    plus_code: str | None
    address_code: str
    created_at: datetime
    archived_at: datetime | None = None
    archived_by: str | None = None


class ResidentIn(BaseModel):
    full_name: PlainText = Field(min_length=1, max_length=200)
    phone: str | None = Field(default=None, max_length=30)
    household_id: int | None = None
    village_id: int | None = None
    date_of_birth: date | None = None
    groups: list[GroupCode] = Field(default_factory=list, max_length=20)


class ResidentPatch(PatchModel):
    table: ClassVar[FromClause] = Resident.__table__  # null only where the column is nullable
    full_name: PlainText | None = Field(default=None, min_length=1, max_length=200)
    phone: str | None = Field(default=None, max_length=30)
    household_id: int | None = None
    village_id: int | None = None
    date_of_birth: date | None = None
    groups: list[GroupCode] | None = Field(default=None, max_length=20)


class ResidentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    full_name: str
    phone: str | None
    household_id: int | None
    village_id: int | None
    date_of_birth: date | None
    groups: list[str]
    registered: bool
    status: str
    source: str
    review_note: str | None
    reviewed_by: str | None
    reviewed_at: datetime | None
    created_at: datetime
    archived_at: datetime | None = None
    archived_by: str | None = None


class RegistrationIn(BaseModel):
    """What a logged-in resident submits about themself; an official then verifies or rejects it."""

    full_name: PlainText = Field(min_length=1, max_length=200)
    village_id: int
    household_id: int | None = None
    date_of_birth: date | None = None
    groups: list[GroupCode] = Field(default_factory=list, max_length=20)


class ReviewIn(BaseModel):
    note: PlainText | None = Field(default=None, max_length=500)


class RowError(BaseModel):
    row: int
    field: str
    problem: str
    code: str


class ImportResult(BaseModel):
    created: int
    rejected: int
    ids: list[int]
    errors: list[RowError]


class RegistrationStatus(BaseModel):
    status: Literal["none", "pending", "verified", "rejected"]
    resident: ResidentOut | None = None


class VillageScopeIn(BaseModel):
    village_ids: list[int] = Field(default_factory=list, max_length=200)


class VillageScopeOut(BaseModel):
    user_id: str
    village_ids: list[int]
