from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import FromClause

from smartcommune.platform.common.patch import PatchModel
from smartcommune.platform.devices.models import DeviceRule

Name = str


class FieldSpec(BaseModel):
    name: str = Field(pattern=r"^[a-z][a-z0-9_]{0,59}$")
    label: str = Field(default="", max_length=120)  # shown in charts and alarms instead of the technical name
    unit: str = Field(default="", max_length=20)
    min: float | None = None
    max: float | None = None


class ParamSpec(BaseModel):
    type: Literal["number", "integer", "boolean", "text"] = "number"
    label: str = Field(default="", max_length=120)
    unit: str = Field(default="", max_length=20)
    min: float | None = None
    max: float | None = None
    required: bool = True


class CommandSpec(BaseModel):
    name: str = Field(pattern=r"^[a-z][a-z0-9_]{0,59}$")
    label: str = Field(default="", max_length=120)
    params: dict[str, ParamSpec] = Field(default_factory=dict)
    timeout_s: int = Field(default=30, ge=1, le=3600)


class AlarmRuleSpec(BaseModel):
    field: str = Field(min_length=1, max_length=60)
    op: Literal["below", "above"]
    threshold: float
    severity: Literal["info", "warning", "critical"] = "warning"


class ProfileIn(BaseModel):
    code: str = Field(min_length=1, max_length=60, pattern=r"^[a-z0-9_.-]+$")
    name: str = Field(min_length=1, max_length=200)
    fields: list[FieldSpec] = Field(default_factory=list, max_length=100)
    commands: list[CommandSpec] = Field(default_factory=list, max_length=50)
    alarm_rules: list[AlarmRuleSpec] = Field(default_factory=list, max_length=50)


class ProfileOut(ProfileIn):
    model_config = ConfigDict(from_attributes=True)

    id: int
    created_at: datetime


class DeviceIn(BaseModel):
    uid: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    serial: str = Field(min_length=1, max_length=120)
    name: str = Field(min_length=1, max_length=200)
    profile_id: int
    location: str = Field(default="", max_length=300)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)


class DeviceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    uid: str
    serial: str
    name: str
    profile_id: int
    location: str
    latitude: float | None = None
    longitude: float | None = None
    mqtt_username: str
    last_seen_at: datetime | None
    online: bool = False
    created_at: datetime


class DeviceCredentialsOut(BaseModel):
    """Shown once: the platform keeps only a hash."""

    device: DeviceOut
    mqtt_username: str
    mqtt_password: str
    topic_root: str


class BulkDevicesIn(BaseModel):
    devices: list[DeviceIn] = Field(min_length=1, max_length=1000)


class TelemetryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    ts: datetime
    data: dict[str, Any]


class DeadLetterOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    device_uid: str
    topic: str
    payload: str
    reason: str
    detail: str | None
    received_at: datetime


class CommandIn(BaseModel):
    name: str = Field(pattern=r"^[a-z][a-z0-9_]{0,59}$")
    params: dict[str, float | int | str | bool] = Field(default_factory=dict)
    timeout_s: int | None = Field(default=None, ge=1, le=3600)


class CommandOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    device_id: int
    name: str
    params: dict[str, Any]
    status: str
    source: str
    requested_by: str
    timeout_s: int
    requested_at: datetime
    responded_at: datetime | None
    result: dict[str, Any] | None


class RuleIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    kind: Literal["threshold", "schedule"]
    enabled: bool = True
    sensor_device_id: int | None = None
    field: str | None = Field(default=None, max_length=60)
    op: Literal["below", "above"] | None = None
    threshold: float | None = None
    clear_threshold: float | None = None
    duration_s: int = Field(default=0, ge=0, le=86400)
    target_device_id: int | None = None
    command: str | None = Field(default=None, max_length=60)
    params: dict[str, float | int | str | bool] = Field(default_factory=dict)
    notify: bool = True
    time_of_day: str | None = Field(default=None, pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    duration_min: int | None = Field(default=None, ge=1, le=1440)
    rain_device_id: int | None = None
    rain_field: str | None = Field(default=None, max_length=60)
    rain_threshold: float | None = None
    rain_window_h: int = Field(default=24, ge=1, le=168)

    @model_validator(mode="after")
    def _complete(self) -> RuleIn:
        if self.kind == "threshold":
            if None in (self.sensor_device_id, self.field, self.op, self.threshold):
                raise ValueError("threshold rules need sensor_device_id, field, op and threshold")
            if self.clear_threshold is None:
                self.clear_threshold = self.threshold
            x, y = float(self.threshold or 0), float(self.clear_threshold or 0)
            if (self.op == "below" and y < x) or (self.op == "above" and y > x):
                raise ValueError("clear_threshold must lie on the clear side of threshold (hysteresis)")
        else:
            if None in (self.time_of_day, self.duration_min, self.target_device_id, self.command):
                raise ValueError("schedules need time_of_day, duration_min, target_device_id and command")
        return self


class RulePatch(PatchModel):
    table: ClassVar[FromClause] = DeviceRule.__table__  # null only where the column is nullable
    """An edit of a rule (its kind stays): only the fields sent change; the result is checked as `RuleIn`."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    enabled: bool | None = None
    sensor_device_id: int | None = None
    field: str | None = Field(default=None, max_length=60)
    op: Literal["below", "above"] | None = None
    threshold: float | None = None
    clear_threshold: float | None = None
    duration_s: int | None = Field(default=None, ge=0, le=86400)
    target_device_id: int | None = None
    command: str | None = Field(default=None, max_length=60)
    params: dict[str, float | int | str | bool] | None = None
    notify: bool | None = None
    time_of_day: str | None = Field(default=None, pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    duration_min: int | None = Field(default=None, ge=1, le=1440)
    rain_device_id: int | None = None
    rain_field: str | None = Field(default=None, max_length=60)
    rain_threshold: float | None = None
    rain_window_h: int | None = Field(default=None, ge=1, le=168)


class RuleOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    kind: str
    enabled: bool
    sensor_device_id: int | None
    field: str | None
    op: str | None
    threshold: float | None
    clear_threshold: float | None
    duration_s: int
    target_device_id: int | None
    command: str | None
    params: dict[str, Any]
    notify: bool
    time_of_day: str | None
    duration_min: int | None
    rain_device_id: int | None
    rain_field: str | None
    rain_threshold: float | None
    rain_window_h: int
    state: str
    pending_since: datetime | None
    last_outcome: str | None


class AlarmOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    device_id: int
    rule_id: int | None
    profile_rule: str | None = None
    severity: str
    message: str
    value: float | None
    state: str
    raised_at: datetime
    acknowledged_by: str | None
    acknowledged_at: datetime | None
    cleared_at: datetime | None
