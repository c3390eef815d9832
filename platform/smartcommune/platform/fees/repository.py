from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from smartcommune.platform.fees.models import BankAccount, FeeType, Invoice, LedgerEntry, Receipt


def list_fee_types(db: Session) -> Sequence[FeeType]:
    return db.scalars(select(FeeType).order_by(FeeType.code)).all()


def fee_type_by_code(db: Session, code: str) -> FeeType | None:
    return db.scalar(select(FeeType).where(FeeType.code == code))


def active_bank_account(db: Session) -> BankAccount | None:
    return db.scalar(select(BankAccount).where(BankAccount.active).order_by(BankAccount.id.desc()).limit(1))


def next_invoice_ids(db: Session, n: int) -> list[int]:
    """Pre-allocate key values (the schema sequence) so references can be written with the row, in one INSERT."""
    rows = db.execute(text("SELECT nextval('ids') FROM generate_series(1, :n)"), {"n": n})
    return [int(r[0]) for r in rows]


def list_invoices(
    db: Session,
    *,
    household_id: int | None = None,
    period: str | None = None,
    status: str | None = None,
    payer_subject: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> Sequence[Invoice]:
    q = select(Invoice).order_by(Invoice.id.desc()).limit(limit).offset(offset)
    if household_id is not None:
        q = q.where(Invoice.household_id == household_id)
    if period is not None:
        q = q.where(Invoice.period == period)
    if status is not None:
        q = q.where(Invoice.status == status)
    if payer_subject is not None:
        q = q.where(Invoice.payer_subject == payer_subject)
    return db.scalars(q).all()


def invoice_by_reference(db: Session, reference: str, *, lock: bool = False) -> Invoice | None:
    q = select(Invoice).where(Invoice.reference == reference)
    return db.scalar(q.with_for_update() if lock else q)


def ledger(db: Session, household_id: int) -> Sequence[LedgerEntry]:
    return db.scalars(
        select(LedgerEntry).where(LedgerEntry.household_id == household_id).order_by(LedgerEntry.id)
    ).all()


def receipts(
    db: Session, *, household_id: int | None, limit: int, payer_subject: str | None = None
) -> Sequence[Receipt]:
    """With `payer_subject`, only receipts of invoices that account pays (ownership is this SQL filter)."""
    q = select(Receipt).order_by(Receipt.id.desc()).limit(limit)
    if household_id is not None:
        q = q.where(Receipt.household_id == household_id)
    if payer_subject is not None:
        q = q.where(Receipt.invoice_id.in_(select(Invoice.id).where(Invoice.payer_subject == payer_subject)))
    return db.scalars(q).all()
