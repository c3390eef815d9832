from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, IPvAnyAddress
from sqlalchemy import FromClause

from smartcommune.platform.cameras.models import Camera
from smartcommune.platform.common.patch import PatchModel

Point = Annotated[list[Annotated[float, Field(ge=0, le=1)]], Field(min_length=2, max_length=2)]
Polygon = Annotated[list[Point], Field(min_length=3, max_length=64)]
CameraProfile = Literal["default", "outdoor", "indoor", "traffic", "flood"]


class CameraIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    location: str = Field(default="", max_length=300)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    stream_url: str = Field(min_length=8, max_length=1000)
    username: str | None = Field(default=None, max_length=120)
    password: str | None = Field(default=None, max_length=200)
    profile: CameraProfile = "default"
    model: str | None = Field(default=None, max_length=120)
    zones: list[Polygon] = Field(default_factory=list, max_length=16)
    masks: list[Polygon] = Field(default_factory=list, max_length=16)
    sensitivity: int = Field(default=50, ge=1, le=100)
    min_area: float = Field(default=0.01, gt=0, le=1)
    motion_enabled: bool = True


class CameraPatch(PatchModel):
    table: ClassVar[FromClause] = Camera.__table__  # null only where the column is nullable
    name: str | None = Field(default=None, min_length=1, max_length=200)
    location: str | None = Field(default=None, max_length=300)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    stream_url: str | None = Field(default=None, min_length=8, max_length=1000)
    username: str | None = Field(default=None, max_length=120)
    password: str | None = Field(default=None, max_length=200)
    profile: CameraProfile | None = None
    model: str | None = Field(default=None, max_length=120)
    zones: list[Polygon] | None = Field(default=None, max_length=16)
    masks: list[Polygon] | None = Field(default=None, max_length=16)
    sensitivity: int | None = Field(default=None, ge=1, le=100)
    min_area: float | None = Field(default=None, gt=0, le=1)
    motion_enabled: bool | None = None


class CameraOut(BaseModel):
    """What officials see: never the password, never the user name; the URL has no credentials."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    location: str
    latitude: float | None
    longitude: float | None
    stream_url: str
    has_credentials: bool = False
    profile: str
    model: str | None
    zones: list[list[list[float]]]
    masks: list[list[list[float]]]
    sensitivity: int
    min_area: float
    motion_enabled: bool
    status: str
    status_reason: str | None
    status_changed_at: datetime | None
    last_checked_at: datetime | None
    last_frame_at: datetime | None
    last_frame_age_s: float | None = None
    last_probe_ms: float | None
    width: int | None
    height: int | None
    fps: float | None
    codec: str | None
    manufacturer: str | None = None
    firmware: str | None = None
    serial_number: str | None = None
    onvif_refreshed_at: datetime | None = None
    snapshot_file_id: uuid.UUID | None
    created_at: datetime
    updated_at: datetime


class ProbeOut(BaseModel):
    ok: bool
    reason: str
    message: str
    message_en: str
    elapsed_ms: float
    width: int | None = None
    height: int | None = None
    fps: float | None = None
    codec: str | None = None
    snapshot_file_id: uuid.UUID | None = None
    camera: CameraOut


class SiteNetworkIn(BaseModel):
    cidr: str = Field(min_length=3, max_length=64)
    note: str = Field(default="", max_length=200)


class SiteNetworkOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    cidr: str
    note: str
    created_at: datetime


class SiteNetworkRequestOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    cidr: str
    note: str
    status: Literal["pending", "approved", "refused", "revoked"]
    requested_by: str
    requested_at: datetime
    decided_at: datetime | None
    decision_note: str


class CameraEventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    camera_id: int
    kind: str
    started_at: datetime
    ended_at: datetime | None
    peak_area: float
    snapshot_file_id: uuid.UUID | None
    state: str
    incident_title: str | None
    incident_note: str | None
    field_report_id: str | None
    promoted_by: str | None
    promoted_at: datetime | None


class PromoteIn(BaseModel):
    title: str = Field(min_length=1, max_length=300)
    note: str = Field(default="", max_length=4000)
    field_report_id: str | None = Field(default=None, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")


class OnvifDiscoverIn(BaseModel):
    """WS-Discovery on the commune's site network: multicast by default, or unicast to one address of it."""

    address: IPvAnyAddress | None = None
    port: int = Field(default=3702, ge=1, le=65535)
    timeout_ms: int = Field(default=2000, ge=200, le=5000)


class OnvifDiscoveredOut(BaseModel):
    endpoint: str
    xaddrs: list[str]  # device service URLs on an allow-listed site network (the others are dropped)
    name: str | None
    hardware: str | None
    source: str
    camera_id: int | None  # the registered camera already using this device service URL


class OnvifDiscoveryOut(BaseModel):
    found: list[OnvifDiscoveredOut]
    refused: int  # answers or service URLs outside the commune's site networks: never contacted


class OnvifRefreshIn(BaseModel):
    xaddr: str | None = Field(default=None, min_length=8, max_length=500)
