from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class CommuneCreate(BaseModel):
    commune_code: int = Field(gt=0, description="Mã đơn vị hành chính cấp xã (danh mục 2025)")
    province_code: int | None = Field(default=None, gt=0)
    slug: str | None = None
    template: str = Field(default="base", min_length=1, max_length=60)
    plan: str = Field(default="standard", min_length=1, max_length=40)


class CommuneOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    slug: str
    commune_code: int
    province_code: int
    name: str
    province_name: str
    status: str
    plan: str
    template: str
    schema_name: str
    schema_revision: str
    suspended_reason: str | None
    created_at: datetime
    updated_at: datetime


class CommuneCreated(CommuneOut):
    creation_seconds: float


class CommunePageOut(BaseModel):
    items: list[CommuneOut]
    total: int
    limit: int
    offset: int


class SuspendIn(BaseModel):
    reason: str = Field(default="", max_length=500)


class OfficialCommuneOut(BaseModel):
    code: int
    name: str
    division_type: str
    province_code: int
    province_name: str
    onboarded: bool
