from __future__ import annotations

import re
from datetime import date, datetime
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import FromClause

from smartcommune.platform.common.patch import PatchModel
from smartcommune.platform.common.text import PlainText
from smartcommune.platform.fees.models import FeeType

FeeCategory = Literal["tuition", "electricity", "water", "administrative", "hospital", "other"]
# A billing month of this century: `0000-01` or `9999-12` is a typo, not a period.
_PERIOD = re.compile(r"^20\d{2}-(0[1-9]|1[0-2])$")


def _period(value: str) -> str:
    if not _PERIOD.match(value):
        raise ValueError("kỳ thu phải có dạng YYYY-MM, năm 2000–2099 / period must be YYYY-MM, year 2000-2099")
    return value


class FeeTypeIn(BaseModel):
    code: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_.-]+$")
    name: PlainText = Field(min_length=1, max_length=200)
    category: FeeCategory
    default_amount_vnd: int | None = Field(default=None, gt=0, le=10_000_000_000)
    due_days: int = Field(default=15, ge=0, le=365)


class FeeTypePatch(PatchModel):
    table: ClassVar[FromClause] = FeeType.__table__  # null only where the column is nullable
    """An edit of a fee type: the code stays (invoices and the ledger name it); `active=false` stops new invoices."""

    name: PlainText | None = Field(default=None, min_length=1, max_length=200)
    category: FeeCategory | None = None
    default_amount_vnd: int | None = Field(default=None, gt=0, le=10_000_000_000)
    clear_default_amount: bool = False
    due_days: int | None = Field(default=None, ge=0, le=365)
    active: bool | None = None


class FeeTypeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    name: str
    category: str
    default_amount_vnd: int | None
    due_days: int
    active: bool


class BankAccountIn(BaseModel):
    bank_bin: str = Field(pattern=r"^\d{6}$", description="Mã BIN ngân hàng (NAPAS), 6 chữ số")
    account_number: str = Field(pattern=r"^[0-9A-Za-z]{1,19}$")
    account_name: PlainText = Field(min_length=1, max_length=200)


class BankAccountOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    bank_bin: str
    account_number: str
    account_name: str


class InvoiceIn(BaseModel):
    household_id: int = Field(gt=0)
    fee_type_id: int = Field(gt=0)
    period: str = Field(max_length=7)
    amount_vnd: int | None = Field(default=None, gt=0, le=10_000_000_000)
    payer_subject: str | None = Field(default=None, max_length=64)
    description: PlainText = Field(default="", max_length=300)

    _check_period = field_validator("period")(_period)


class BulkLine(BaseModel):
    household_id: int = Field(gt=0)
    amount_vnd: int | None = Field(default=None, gt=0, le=10_000_000_000)
    payer_subject: str | None = Field(default=None, max_length=64)


class BulkIssueIn(BaseModel):
    fee_type_id: int = Field(gt=0)
    period: str = Field(max_length=7)
    lines: list[BulkLine] = Field(min_length=1, max_length=20_000)

    _check_period = field_validator("period")(_period)


class BulkIssueOut(BaseModel):
    created: int
    existing: int
    invoice_ids: list[int]


class InvoiceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    reference: str
    household_id: int
    payer_subject: str | None
    fee_type_id: int
    period: str
    description: str
    amount_vnd: int
    paid_vnd: int
    status: str
    due_date: date
    reminder_count: int
    paid_at: datetime | None
    created_at: datetime
    household_head: str | None = None
    house_number: str | None = None


class VietQROut(BaseModel):
    invoice_id: int
    reference: str
    amount_vnd: int
    payload: str
    bank_bin: str
    account_number: str
    account_name: str


class RemindIn(BaseModel):
    as_of: date | None = None
    min_days_between: int = Field(default=3, ge=0, le=90)


class RemindOut(BaseModel):
    reminded: int
    invoice_ids: list[int]


class ReceiptOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    number: str
    invoice_id: int
    household_id: int
    amount_vnd: int
    issued_at: datetime


class LedgerLine(BaseModel):
    id: int
    kind: str
    amount_vnd: int
    balance_vnd: int
    invoice_id: int | None
    payment_id: int | None
    memo: str
    at: datetime


class LedgerOut(BaseModel):
    household_id: int
    balance_vnd: int
    entries: list[LedgerLine]
