from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from smartcommune.platform.common.text import PlainText


class PaymentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    source: str
    event_id: str
    amount_vnd: int
    memo: str
    bank_reference: str | None
    reference: str | None
    invoice_id: int | None
    match: str
    needs_review: bool
    resolution: str | None
    resolution_note: str | None
    resolved_by: str | None
    resolved_at: datetime | None
    transaction_at: datetime | None
    created_at: datetime


class ResolveIn(BaseModel):
    """`assign`: credit an unmatched payment to an invoice; `accept`: keep a partial or over payment as is
    (the rest is collected or refunded outside); `refund`: the money is sent back."""

    action: Literal["assign", "accept", "refund"]
    invoice_id: int | None = Field(default=None, gt=0)
    note: PlainText = Field(default="", max_length=500)


class WebhookAck(BaseModel):
    success: bool = True
    duplicate: bool = False
    outcome: str
