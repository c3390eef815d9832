from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from smartcommune.platform.common.text import PlainText


class CriterionTarget(BaseModel):
    code: str = Field(min_length=1, max_length=60, pattern=r"^[a-z0-9_.-]+$")
    name_vi: PlainText = Field(min_length=1, max_length=300)
    name_en: PlainText = Field(min_length=1, max_length=300)
    target_percent: float = Field(ge=0, le=100)
    # Parameters of the computation (e.g. {"min_age": 15, "max_age": 60}); omitted: kept as they are.
    params: dict[str, int] | None = None


class IndicatorOut(BaseModel):
    code: str
    name_vi: str
    name_en: str
    target_percent: float
    value_percent: float | None
    numerator: int
    denominator: int
    met: bool | None
    evidence: dict[str, Any]


class SnapshotRun(BaseModel):
    month: str
    indicators: list[IndicatorOut]


class SnapshotIn(BaseModel):
    month: str | None = Field(default=None, pattern=r"^\d{4}-(0[1-9]|1[0-2])$")


class SnapshotOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    month: str
    code: str
    value_percent: float | None
    target_percent: float
    numerator: int
    denominator: int
    evidence: dict[str, Any]
    computed_at: datetime


class RollupOut(BaseModel):
    """One indicator pooled over a province's communes for one month."""

    model_config = ConfigDict(from_attributes=True)
    month: str
    province_code: int
    code: str
    name_vi: str
    name_en: str
    value_percent: float | None
    numerator: int
    denominator: int
    communes: int
    communes_met: int
    communes_without_data: int
    computed_at: datetime
