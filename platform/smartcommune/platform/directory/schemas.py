from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import FromClause

from smartcommune.platform.common.patch import PatchModel
from smartcommune.platform.common.text import PlainText
from smartcommune.platform.directory.models import Contact

PHONE = r"^\+?[0-9 .-]{3,20}$"


class ContactIn(BaseModel):
    kind: Literal["official", "hotline"]
    name: PlainText = Field(min_length=1, max_length=200)
    position: PlainText = Field(default="", max_length=200)
    department: PlainText = Field(default="", max_length=200)
    phone: str | None = Field(default=None, pattern=PHONE)
    email: str | None = Field(default=None, max_length=200, pattern=r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
    hours: PlainText = Field(default="", max_length=200)
    sort_order: int = Field(default=0, ge=0, le=100_000)


class ContactPatch(PatchModel):
    table: ClassVar[FromClause] = Contact.__table__  # null only where the column is nullable
    name: PlainText | None = Field(default=None, min_length=1, max_length=200)
    position: PlainText | None = Field(default=None, max_length=200)
    department: PlainText | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, pattern=PHONE)
    email: str | None = Field(default=None, max_length=200, pattern=r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
    hours: PlainText | None = Field(default=None, max_length=200)
    sort_order: int | None = Field(default=None, ge=0, le=100_000)


class ContactOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    name: str
    position: str
    department: str
    phone: str | None
    email: str | None
    hours: str
    sort_order: int


class LibraryCategoryIn(BaseModel):
    code: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_.-]+$")
    name: PlainText = Field(min_length=1, max_length=200)


class LibraryCategoryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    name: str


class DocumentForm(BaseModel):
    category_id: int
    title: PlainText = Field(min_length=1, max_length=300)
    doc_number: PlainText = Field(default="", max_length=60)
    summary: PlainText = Field(default="", max_length=8000)
    issued_on: date | None = None


class DocumentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    category_id: int
    title: str
    doc_number: str
    summary: str
    issued_on: date | None
    published: bool
    created_at: datetime
