from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from smartcommune.tenants.tenant_schema import TenantBase, commune_id


class FeeType(TenantBase):
    """A kind of fee the commune collects (tuition, electricity, water, administrative, hospital)."""

    __tablename__ = "fee_types"

    id: Mapped[int] = commune_id()
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(30))
    default_amount_vnd: Mapped[int | None] = mapped_column(BigInteger)
    due_days: Mapped[int] = mapped_column(Integer, default=15)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class BankAccount(TenantBase):
    """The commune's receiving account (the beneficiary of its VietQR codes); one is active."""

    __tablename__ = "bank_accounts"

    id: Mapped[int] = commune_id()
    bank_bin: Mapped[str] = mapped_column(String(6))
    account_number: Mapped[str] = mapped_column(String(19))
    account_name: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Invoice(TenantBase):
    """What one household owes for one fee type in one period. `household_id` is a plain reference."""

    __tablename__ = "invoices"
    __table_args__ = (
        UniqueConstraint("household_id", "fee_type_id", "period", name="uq_invoices_household_fee_period"),
        Index("ix_invoices_status_due", "status", "due_date"),
    )

    id: Mapped[int] = commune_id()
    reference: Mapped[str] = mapped_column(String(25), unique=True)
    household_id: Mapped[int] = mapped_column(BigInteger, index=True)
    payer_subject: Mapped[str | None] = mapped_column(String(64), index=True)
    fee_type_id: Mapped[int] = mapped_column(ForeignKey("fee_types.id"))
    period: Mapped[str] = mapped_column(String(7))
    description: Mapped[str] = mapped_column(String(300), default="")
    amount_vnd: Mapped[int] = mapped_column(BigInteger)
    paid_vnd: Mapped[int] = mapped_column(BigInteger, default=0)
    status: Mapped[str] = mapped_column(String(20), default="open")
    due_date: Mapped[date] = mapped_column(Date)
    reminder_count: Mapped[int] = mapped_column(Integer, default=0)
    last_reminded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    paid_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Receipt(TenantBase):
    """Biên lai: issued once an invoice is paid in full."""

    __tablename__ = "receipts"

    id: Mapped[int] = commune_id()
    number: Mapped[str] = mapped_column(String(30), unique=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), unique=True)
    household_id: Mapped[int] = mapped_column(BigInteger, index=True)
    amount_vnd: Mapped[int] = mapped_column(BigInteger)
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class LedgerEntry(TenantBase):
    """Append-only ledger per household: + charges (invoices), − payments. Balance = sum."""

    __tablename__ = "ledger_entries"
    __table_args__ = (Index("ix_ledger_entries_household", "household_id", "id"),)

    id: Mapped[int] = commune_id()
    household_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(20))  # charge | payment
    amount_vnd: Mapped[int] = mapped_column(BigInteger)
    invoice_id: Mapped[int | None] = mapped_column(BigInteger)
    payment_id: Mapped[int | None] = mapped_column(BigInteger)
    memo: Mapped[str] = mapped_column(String(300), default="")
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
