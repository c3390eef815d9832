from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from smartcommune.platform.common.text import PlainText
from smartcommune.tenants.bounds import INT_MAX

Meter = Literal["active_residents", "cameras", "devices"]


class MeterPrice(BaseModel):
    price: str = Field(pattern=r"^price_[A-Za-z0-9]+$")
    event_name: str = Field(pattern=r"^[a-z0-9_]{1,100}$")


class PlanIn(BaseModel):
    code: str = Field(pattern=r"^[a-z0-9_-]{2,40}$")
    name: PlainText = Field(min_length=1, max_length=200)
    base_price_id: str = Field(pattern=r"^price_[A-Za-z0-9]+$")
    meters: dict[Meter, MeterPrice] = Field(default_factory=dict)


class PlanOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str
    base_price_id: str
    meters: dict[str, dict[str, str]]


class SubscribeIn(BaseModel):
    plan_code: str = Field(pattern=r"^[a-z0-9_-]{2,40}$")


class BillingAccountOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    commune_code: int
    plan_code: str
    stripe_customer_id: str | None
    stripe_subscription_id: str | None
    status: str
    unpaid_since: datetime | None
    notice_sent_at: datetime | None
    suspended_for_billing_at: datetime | None


class UsageIn(BaseModel):
    day: date
    commune_codes: list[Annotated[int, Field(ge=0, le=INT_MAX)]] | None = Field(
        default=None, max_length=5000, description="only these communes"
    )


class UsageLine(BaseModel):
    commune_code: int
    meter: str
    value: int
    idempotency_key: str
    sent: bool


class UsageOut(BaseModel):
    day: date
    lines: list[UsageLine]


class DunningOut(BaseModel):
    noticed: list[int]
    suspended: list[int]


class StripeAck(BaseModel):
    received: bool = True
    duplicate: bool = False
    outcome: str
