from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class AdminContact(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    phone: str | None = Field(default=None, max_length=20)
    email: str | None = Field(default=None, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    username: str | None = Field(default=None, max_length=120, description="mặc định: <slug>.admin")


class CameraSpec(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    location: str = Field(default="", max_length=300)
    stream_url: str = Field(min_length=8, max_length=1000)
    username: str | None = Field(default=None, max_length=120)
    password: str | None = Field(default=None, max_length=200)
    profile: str | None = Field(default=None, max_length=60, description="mã hồ sơ camera của mẫu")


class DeviceSpec(BaseModel):
    uid: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    serial: str = Field(min_length=1, max_length=120)
    name: str = Field(min_length=1, max_length=200)
    profile: str = Field(min_length=1, max_length=60, description="mã hồ sơ thiết bị của mẫu")
    location: str = Field(default="", max_length=300)


class RunSpec(BaseModel):
    """What one run onboards. Camera passwords are kept encrypted in the run (see service.seal_spec)."""

    model_config = ConfigDict(extra="forbid")

    commune_code: int
    slug: str | None = None
    province_code: int | None = None
    template: str = "base"
    plan: str = "standard"
    admin: AdminContact | None = None
    site_networks: list[str] = Field(default_factory=list, max_length=16)
    cameras: list[CameraSpec] = Field(default_factory=list, max_length=200)
    devices: list[DeviceSpec] = Field(default_factory=list, max_length=1000)


class StepOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    name: str
    position: int
    status: str
    attempts: int
    started_at: datetime | None
    finished_at: datetime | None
    duration_ms: float | None
    error: str | None
    output: dict[str, Any]


class RunOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    rollout_id: uuid.UUID | None
    commune_code: int
    slug: str | None
    template: str
    status: str
    current_step: str | None
    error: str | None
    attempts: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class RunDetail(RunOut):
    steps: list[StepOut]


class RunPage(BaseModel):
    items: list[RunOut]
    total: int
