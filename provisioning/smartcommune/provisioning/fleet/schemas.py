from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel

HealthFilter = Literal["problems", "cameras", "devices", "reports", "unmeasured"]


class FleetHealthOut(BaseModel):
    """A commune with its last measurement (all counts None until the first one) and billing standing."""

    commune_code: int
    slug: str
    name: str
    province_code: int
    province_name: str
    status: str
    template: str
    plan: str
    cameras_total: int | None
    cameras_offline: int | None
    devices_total: int | None
    devices_offline: int | None
    reports_open: int | None
    reports_overdue: int | None
    error: str | None
    computed_at: datetime | None
    billing_status: str | None
    billing_plan: str | None
    unpaid_since: datetime | None


class FleetHealthPage(BaseModel):
    items: list[FleetHealthOut]
    total: int
    limit: int
    offset: int
    interval_s: float


class FleetTotals(BaseModel):
    communes: int
    measured: int
    cameras_offline: int
    devices_offline: int
    reports_overdue: int
    oldest_measurement: datetime | None


class MapPointOut(BaseModel):
    commune_code: int
    slug: str
    name: str
    province_code: int
    status: str
    problems: int | None


class RolloutSummaryOut(BaseModel):
    """A rollout with its runs counted by outcome (the console's list of recent rollouts)."""

    id: uuid.UUID
    scope: str
    template: str
    requested_by: str
    created_at: datetime
    total: int
    finished: int
    failed: int
    rejected: int
