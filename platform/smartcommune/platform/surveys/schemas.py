from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from smartcommune.platform.announcements.schemas import Targeting
from smartcommune.platform.common.text import PlainText

QuestionKind = Literal[
    "short_text", "long_text", "single_choice", "multiple_choice", "rating", "number", "date", "matrix"
]
Label = PlainText


class QuestionIn(BaseModel):
    kind: QuestionKind
    prompt: PlainText = Field(min_length=1, max_length=500)
    required: bool = False
    choices: list[Label] | None = Field(default=None, max_length=50)  # single/multiple choice
    scale_min: int | None = Field(default=None, ge=0, le=10)  # rating
    scale_max: int | None = Field(default=None, ge=1, le=10)
    scale_min_label: Label | None = Field(default=None, max_length=60)  # rating: what the lowest/highest mean
    scale_max_label: Label | None = Field(default=None, max_length=60)
    min: float | None = None  # number
    max: float | None = None
    rows: list[Label] | None = Field(default=None, max_length=30)  # matrix
    columns: list[Label] | None = Field(default=None, max_length=15)

    @model_validator(mode="after")
    def _shape(self) -> QuestionIn:
        k = self.kind
        if k in ("single_choice", "multiple_choice") and (
            not self.choices or len(self.choices) < 2 or any(not c for c in self.choices)
        ):
            raise ValueError("cần ít nhất 2 lựa chọn / at least 2 choices are needed")
        if k == "matrix" and (not self.rows or not self.columns or len(self.columns) < 2):
            raise ValueError("ma trận cần hàng và ít nhất 2 cột / a matrix needs rows and at least 2 columns")
        if k == "rating":
            lo, hi = self.scale_min if self.scale_min is not None else 1, self.scale_max or 5
            if hi <= lo:
                raise ValueError("thang điểm không hợp lệ / invalid scale")
            self.scale_min, self.scale_max = lo, hi
        if k == "number" and self.min is not None and self.max is not None and self.max < self.min:
            raise ValueError("giá trị lớn nhất nhỏ hơn nhỏ nhất / max below min")
        return self

    def config(self) -> dict[str, Any]:
        k = self.kind
        if k in ("single_choice", "multiple_choice"):
            return {"choices": self.choices}
        if k == "rating":
            ends = {"min_label": self.scale_min_label, "max_label": self.scale_max_label}
            return {"min": self.scale_min, "max": self.scale_max} | {k: v for k, v in ends.items() if v}
        if k == "number":
            return {"min": self.min, "max": self.max}
        if k == "matrix":
            return {"rows": self.rows, "columns": self.columns}
        return {}


class SurveyIn(BaseModel):
    title: PlainText = Field(min_length=1, max_length=200)
    description: PlainText = Field(default="", max_length=5000)
    opens_at: datetime | None = None  # None: now
    closes_at: datetime
    anonymous: bool = False
    target: Targeting = Field(default_factory=Targeting)
    questions: list[QuestionIn] = Field(min_length=1, max_length=100)

    @model_validator(mode="after")
    def _dates(self) -> SurveyIn:
        for value in (self.opens_at, self.closes_at):
            if value is not None and value.tzinfo is None:
                raise ValueError("thời gian cần múi giờ / datetimes need a timezone (e.g. +07:00)")
        return self


class QuestionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    position: int
    kind: str
    prompt: str
    required: bool
    config: dict[str, Any]


class SurveyOut(BaseModel):
    id: int
    title: str
    description: str
    opens_at: datetime
    closes_at: datetime
    status: Literal["upcoming", "open", "closed"]
    anonymous: bool
    whole_commune: bool
    target_village_ids: list[int]
    target_groups: list[str]
    created_by: str
    created_at: datetime
    questions: list[QuestionOut]
    responded: bool | None = None  # for the caller: already answered?
    responses: int | None = None  # for managers


class ResponseIn(BaseModel):
    """Answers by question id. Choices are 0-based indexes; matrix answers map a row index to a column index."""

    answers: dict[int, Any] = Field(max_length=100)


class ResponseOut(BaseModel):
    id: int
    survey_id: int
    submitted_at: datetime
    anonymous: bool


class QuestionResult(BaseModel):
    question_id: int
    position: int
    kind: str
    prompt: str
    answered: int
    options: list[dict[str, Any]] | None = None  # label, count, percent
    average: float | None = None
    minimum: float | str | None = None
    maximum: float | str | None = None
    matrix: list[dict[str, Any]] | None = None  # per row: label, options
    samples: list[str] | None = None


class SurveyResults(BaseModel):
    survey_id: int
    responses: int
    questions: list[QuestionResult]
