from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from smartcommune.platform.common.text import PlainText

FarmKind = Literal["crop", "livestock", "aquaculture"]
LogType = Literal["seeding", "input", "observation", "harvest", "processing", "packing"]
Unit = Literal["KGM", "TNE", "GRM", "LTR", "H87", "BX", "PK"]  # UN/ECE Rec 20 codes (H87 = piece)


class FarmIn(BaseModel):
    name: PlainText = Field(min_length=1, max_length=200)
    producer_name: PlainText = Field(min_length=1, max_length=200)
    owner_household_id: int | None = Field(default=None, ge=1)
    kind: FarmKind = "crop"
    commodity: PlainText = Field(min_length=1, max_length=120)
    area_m2: float | None = Field(default=None, gt=0)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    gtin: str | None = Field(default=None, min_length=8, max_length=14)


class PlotIn(BaseModel):
    name: PlainText = Field(min_length=1, max_length=200)
    crop: PlainText | None = Field(default=None, max_length=120)
    area_m2: float | None = Field(default=None, gt=0)


class CertificationIn(BaseModel):
    scheme: Literal["vietgap", "ocop", "organic"]
    stars: int | None = Field(default=None, ge=3, le=5)
    certificate_no: PlainText = Field(min_length=1, max_length=80)
    issuer: PlainText = Field(default="", max_length=200)
    valid_from: date
    valid_to: date


class LogIn(BaseModel):
    log_type: LogType
    plot_id: int | None = None
    at: datetime | None = None  # default: now
    notes: PlainText = Field(default="", max_length=2000)
    notes_public: bool = Field(
        default=False, description="show the notes on the public trace page (default: for the farm and commune only)"
    )
    # input
    material: PlainText | None = Field(default=None, max_length=200)
    input_kind: Literal["fertiliser", "pesticide", "feed", "veterinary", "other"] | None = None
    amount: Decimal | None = Field(default=None, gt=0, max_digits=14, decimal_places=3)
    amount_unit: str | None = Field(default=None, max_length=10)
    phi_days: int | None = Field(default=None, ge=0, le=365)
    # harvest, processing/packing
    product_name: PlainText | None = Field(default=None, max_length=200)
    quantity: Decimal | None = Field(default=None, gt=0, max_digits=14, decimal_places=3)
    unit: Unit | None = None
    source_lot_id: int | None = None


class PlotOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    farm_id: int
    name: str
    crop: str | None
    area_m2: float | None


class CertificationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    farm_id: int
    scheme: str
    stars: int | None
    certificate_no: str
    issuer: str
    valid_from: date
    valid_to: date


class FarmOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    producer_name: str
    owner_household_id: int | None
    kind: str
    commodity: str
    area_m2: float | None
    latitude: float | None
    longitude: float | None
    gtin: str | None
    created_at: datetime


class FarmDetail(FarmOut):
    plots: list[PlotOut]
    certifications: list[CertificationOut]


class LotOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    code: str
    farm_id: int
    product_name: str
    gtin: str | None
    quantity: Decimal
    unit: str
    produced_at: datetime
    source_lot_id: int | None
    uri: str = ""


class LogOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    farm_id: int
    plot_id: int | None
    log_type: str
    at: datetime
    notes: str
    notes_public: bool = False
    material: str | None
    input_kind: str | None
    amount: Decimal | None
    amount_unit: str | None
    phi_days: int | None
    lot_id: int | None
    source_lot_id: int | None
    created_by: str


class LogCreated(BaseModel):
    log: LogOut
    lot: LotOut | None = None


class TraceOut(BaseModel):
    """What the public trace page shows (JSON form)."""

    uri: str
    lot: dict[str, Any]
    producer: dict[str, Any]
    certifications: list[dict[str, Any]]
    timeline: list[dict[str, Any]]
