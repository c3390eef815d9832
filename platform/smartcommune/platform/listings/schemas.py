from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl
from sqlalchemy import FromClause

from smartcommune.platform.common.patch import PatchModel
from smartcommune.platform.common.text import PlainText
from smartcommune.platform.listings.models import Listing

Kind = Literal["service", "tourism", "product"]
PHONE = r"^(\+84|0)\d{9,10}$"


class ShopLink(BaseModel):
    name: PlainText = Field(min_length=1, max_length=60)  # Shopee, Lazada, Tiki, Postmart, Voso…
    url: HttpUrl


class ListingIn(BaseModel):
    kind: Kind
    category: str = Field(min_length=1, max_length=60, pattern=r"^[a-z0-9_]+$")
    title: PlainText = Field(min_length=1, max_length=200)
    description: PlainText = Field(default="", max_length=5000)
    price_vnd: int | None = Field(default=None, ge=0, le=10_000_000_000)
    price_unit: PlainText = Field(default="", max_length=40)
    contact_name: PlainText = Field(min_length=1, max_length=200)
    contact_phone: str = Field(pattern=PHONE)
    shop_links: list[ShopLink] = Field(default_factory=list, max_length=10)
    farm_id: int | None = None
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    accepts_card: bool = False


class ListingPatch(PatchModel):
    table: ClassVar[FromClause] = Listing.__table__  # null only where the column is nullable
    title: PlainText | None = Field(default=None, min_length=1, max_length=200)
    description: PlainText | None = Field(default=None, max_length=5000)
    price_vnd: int | None = Field(default=None, ge=0, le=10_000_000_000)
    price_unit: PlainText | None = Field(default=None, max_length=40)
    contact_name: PlainText | None = Field(default=None, min_length=1, max_length=200)
    contact_phone: str | None = Field(default=None, pattern=PHONE)
    shop_links: list[ShopLink] | None = Field(default=None, max_length=10)
    accepts_card: bool | None = None
    active: bool | None = None


class ListingOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    kind: str
    category: str
    title: str
    description: str
    price_vnd: int | None
    price_unit: str
    contact_name: str
    contact_phone: str
    shop_links: list[dict[str, Any]]
    photo_ids: list[str]
    farm_id: int | None
    latitude: float | None
    longitude: float | None
    accepts_card: bool
    active: bool
    created_at: datetime


class RequestIn(BaseModel):
    name: PlainText = Field(min_length=1, max_length=200)
    phone: str = Field(pattern=PHONE)
    quantity: int = Field(default=1, ge=1, le=1000)
    starts_on: date | None = None
    note: PlainText = Field(default="", max_length=2000)
    pay_by_card: bool = False


class RequestOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    listing_id: int
    kind: str
    name: str
    phone: str
    quantity: int
    starts_on: date | None
    note: str
    amount_vnd: int | None
    status: str
    checkout_url: str | None
    paid_at: datetime | None
    created_at: datetime


class RequestAck(BaseModel):
    """What a visitor gets back: no other visitor's data."""

    id: int
    status: str
    amount_vnd: int | None
    checkout_url: str | None


class WebhookAck(BaseModel):
    duplicate: bool = False
    outcome: str
