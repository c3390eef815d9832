from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from smartcommune.platform.fees import repository, vietqr
from smartcommune.platform.fees.models import BankAccount, FeeType, Invoice, LedgerEntry, Receipt
from smartcommune.platform.fees.schemas import (
    BankAccountIn,
    BulkIssueIn,
    BulkIssueOut,
    FeeTypeIn,
    FeeTypeOut,
    FeeTypePatch,
    InvoiceIn,
    InvoiceOut,
    LedgerLine,
    LedgerOut,
    RemindIn,
    RemindOut,
    VietQROut,
)
from smartcommune.platform.inbox.service import Message, notify
from smartcommune.platform.residents.models import Household
from smartcommune.tenants import audit
from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.errors import Conflict, InvalidInput, NotFound

OUTSTANDING = ("open", "partial")
# "HD" + 5-digit commune code + 9-digit invoice id: fixed width, so it is found even when a bank glues it
# to other words of the transfer memo.
REFERENCE_RE = re.compile(r"HD(\d{5})(\d{9})")


def reference_for(commune_code: int, invoice_id: int) -> str:
    return f"HD{commune_code:05d}{invoice_id:09d}"


def find_reference(memo: str, commune_code: int) -> str | None:
    """The first invoice reference of this commune in a transfer memo (case and separators ignored)."""
    for m in REFERENCE_RE.finditer(re.sub(r"[^0-9A-Z]", "", memo.upper())):
        if int(m.group(1)) == commune_code:
            return m.group(0)
    return None


# -- fee types ---------------------------------------------------------------------------------------
def create_fee_type(db: Session, data: FeeTypeIn, *, actor: str, actor_kind: str) -> FeeType:
    if repository.fee_type_by_code(db, data.code) is not None:
        raise Conflict(
            f"Mã loại phí '{data.code}' đã tồn tại.", f"Fee type '{data.code}' exists.", code="fee_type_taken"
        )
    row = FeeType(**data.model_dump())
    db.add(row)
    db.flush()
    after = FeeTypeOut.model_validate(row).model_dump(mode="json")
    audit.record(
        db,
        actor=actor,
        actor_kind=actor_kind,
        action="create",
        object_type="fee_type",
        object_id=str(row.id),
        after=after,
    )
    return row


def update_fee_type(db: Session, fee_type_id: int, data: FeeTypePatch, *, actor: str, actor_kind: str) -> FeeType:
    row = fee_type(db, fee_type_id)
    before = FeeTypeOut.model_validate(row).model_dump(mode="json")
    changes = data.model_dump(exclude_unset=True, exclude={"clear_default_amount"})
    for key, value in changes.items():
        if value is not None:
            setattr(row, key, value)
    if data.clear_default_amount:
        row.default_amount_vnd = None
    db.flush()
    after = FeeTypeOut.model_validate(row).model_dump(mode="json")
    audit.record(
        db,
        actor=actor,
        actor_kind=actor_kind,
        action="update",
        object_type="fee_type",
        object_id=str(row.id),
        before=before,
        after=after,
    )
    return row


def with_households(db: Session, rows: Sequence[Invoice]) -> list[InvoiceOut]:
    """Invoices named by their household's head and house number (not its internal id)."""
    ids = {r.household_id for r in rows}
    homes = {h.id: h for h in db.scalars(select(Household).where(Household.id.in_(ids)))} if ids else {}
    out = []
    for r in rows:
        item = InvoiceOut.model_validate(r)
        home = homes.get(r.household_id)
        if home is not None:
            item.household_head = home.head_name
            item.house_number = home.house_number
        out.append(item)
    return out


def fee_type(db: Session, fee_type_id: int) -> FeeType:
    row = db.get(FeeType, fee_type_id)
    if row is None:
        raise NotFound("Không tìm thấy loại phí.", "Fee type not found.", code="fee_type_not_found")
    return row


# -- bank account ------------------------------------------------------------------------------------
def set_bank_account(db: Session, data: BankAccountIn, *, actor: str, actor_kind: str) -> BankAccount:
    previous = repository.active_bank_account(db)
    db.execute(update(BankAccount).where(BankAccount.active).values(active=False))
    row = BankAccount(**data.model_dump(), active=True)
    db.add(row)
    db.flush()
    audit.record(
        db,
        actor=actor,
        actor_kind=actor_kind,
        action="set",
        object_type="bank_account",
        object_id=str(row.id),
        before={"id": previous.id, "account_number": previous.account_number} if previous else None,
        after=data.model_dump(),
    )
    return row


def bank_account(db: Session) -> BankAccount:
    row = repository.active_bank_account(db)
    if row is None:
        raise NotFound(
            "Xã chưa khai báo tài khoản nhận tiền.", "The commune has no receiving account.", code="no_bank_account"
        )
    return row


# -- invoices ----------------------------------------------------------------------------------------
def _amount(ft: FeeType, amount: int | None) -> int:
    value = amount or ft.default_amount_vnd
    if value is None:
        raise InvalidInput(
            "Cần số tiền (loại phí này không có mức mặc định).",
            "An amount is required (this fee type has no default).",
            code="amount_required",
        )
    return value


def _issue_rows(
    db: Session, tenant: TenantInfo, ft: FeeType, period: str, lines: list[dict[str, Any]], actor: str
) -> tuple[list[int], int]:
    """INSERT … ON CONFLICT DO NOTHING: one invoice per (household, fee type, period), ever."""
    if not ft.active:
        raise InvalidInput("Loại phí đã ngừng thu.", "This fee type is inactive.", code="fee_type_inactive")
    ids = repository.next_invoice_ids(db, len(lines))
    due = date.today() + timedelta(days=ft.due_days)
    rows = [
        {
            "id": i,
            "reference": reference_for(tenant.commune_code, i),
            "household_id": line["household_id"],
            "payer_subject": line.get("payer_subject"),
            "fee_type_id": ft.id,
            "period": period,
            "description": line.get("description") or f"{ft.name} {period}",
            "amount_vnd": _amount(ft, line.get("amount_vnd")),
            "paid_vnd": 0,
            "status": "open",
            "due_date": due,
            "reminder_count": 0,
            "created_by": actor,
        }
        for i, line in zip(ids, lines, strict=True)
    ]
    # executemany with RETURNING (SQLAlchemy's "insertmanyvalues"): one cached statement, batched VALUES.
    stmt = (
        pg_insert(Invoice).on_conflict_do_nothing(constraint="uq_invoices_household_fee_period").returning(Invoice.id)
    )
    created = [int(r) for r in db.scalars(stmt, rows)]
    if created:
        made = set(created)
        db.execute(
            insert(LedgerEntry),
            [
                {
                    "household_id": r["household_id"],
                    "kind": "charge",
                    "amount_vnd": r["amount_vnd"],
                    "invoice_id": r["id"],
                    "memo": r["description"],
                }
                for r in rows
                if r["id"] in made
            ],
        )
    return created, len(rows) - len(created)


def issue_invoice(db: Session, tenant: TenantInfo, data: InvoiceIn, *, actor: str, actor_kind: str) -> Invoice:
    ft = fee_type(db, data.fee_type_id)
    created, _ = _issue_rows(db, tenant, ft, data.period, [data.model_dump()], actor)
    if not created:
        raise Conflict(
            "Hộ này đã có hóa đơn cho loại phí và kỳ thu này.",
            "This household already has an invoice for this fee type and period.",
            code="invoice_exists",
        )
    row = get_invoice(db, created[0])
    after = InvoiceOut.model_validate(row).model_dump(mode="json")
    audit.record(
        db,
        actor=actor,
        actor_kind=actor_kind,
        action="issue",
        object_type="invoice",
        object_id=str(row.id),
        after=after,
    )
    return row


def bulk_issue(db: Session, tenant: TenantInfo, data: BulkIssueIn, *, actor: str, actor_kind: str) -> BulkIssueOut:
    ft = fee_type(db, data.fee_type_id)
    seen: set[int] = set()
    lines = []
    for line in data.lines:
        if line.household_id not in seen:
            seen.add(line.household_id)
            lines.append(line.model_dump())
    created, existing = _issue_rows(db, tenant, ft, data.period, lines, actor)
    audit.record(
        db,
        actor=actor,
        actor_kind=actor_kind,
        action="bulk_issue",
        object_type="invoice_batch",
        object_id=f"{ft.code}/{data.period}",
        after={"fee_type_id": ft.id, "period": data.period, "created": len(created), "existing": existing},
    )
    return BulkIssueOut(created=len(created), existing=existing, invoice_ids=created)


def get_invoice(db: Session, invoice_id: int, *, payer_subject: str | None = None) -> Invoice:
    row = db.get(Invoice, invoice_id)
    if row is None or (payer_subject is not None and row.payer_subject != payer_subject):
        raise NotFound("Không tìm thấy hóa đơn.", "Invoice not found.", code="invoice_not_found")
    return row


def invoice_vietqr(db: Session, invoice: Invoice) -> VietQROut:
    if invoice.status not in OUTSTANDING:
        raise Conflict("Hóa đơn đã được thanh toán.", "The invoice is already settled.", code="invoice_settled")
    account = bank_account(db)
    due = invoice.amount_vnd - invoice.paid_vnd
    payload = vietqr.build_payload(
        bank_bin=account.bank_bin, account=account.account_number, amount_vnd=due, reference=invoice.reference
    )
    return VietQROut(
        invoice_id=invoice.id,
        reference=invoice.reference,
        amount_vnd=due,
        payload=payload,
        bank_bin=account.bank_bin,
        account_number=account.account_number,
        account_name=account.account_name,
    )


def apply_payment(db: Session, tenant: TenantInfo, invoice: Invoice, amount: int, *, payment_id: int) -> str:
    """Credit a payment to an invoice (locked by the caller); a full payment issues the receipt.

    Returns how the amount compares with what was outstanding: exact, partial or over.
    """
    outstanding = invoice.amount_vnd - invoice.paid_vnd
    invoice.paid_vnd += amount
    db.add(
        LedgerEntry(
            household_id=invoice.household_id,
            kind="payment",
            amount_vnd=-amount,
            invoice_id=invoice.id,
            payment_id=payment_id,
            memo=f"Thanh toán {invoice.reference}",
        )
    )
    if invoice.paid_vnd < invoice.amount_vnd:
        invoice.status = "partial"
    else:
        was_paid = invoice.paid_at is not None
        invoice.status = "paid" if invoice.paid_vnd == invoice.amount_vnd else "overpaid"
        if not was_paid:
            invoice.paid_at = datetime.now().astimezone()
            _issue_receipt(db, tenant, invoice)
    db.flush()
    if amount == outstanding:
        return "exact"
    return "partial" if amount < outstanding else "over"


def _issue_receipt(db: Session, tenant: TenantInfo, invoice: Invoice) -> None:
    number = f"BL{tenant.commune_code:05d}{invoice.id:09d}"
    db.add(
        Receipt(number=number, invoice_id=invoice.id, household_id=invoice.household_id, amount_vnd=invoice.amount_vnd)
    )
    if invoice.payer_subject:
        notify(
            db,
            [invoice.payer_subject],
            Message(
                kind="fee_receipt",
                title=f"Biên lai {number}: đã nhận {invoice.amount_vnd:,} đ".replace(",", "."),
                body=f"Hóa đơn {invoice.reference} ({invoice.description}) đã được thanh toán đủ.",
                source_type="invoice",
                source_id=str(invoice.id),
                data={"receipt": number, "invoice_id": invoice.id},
            ),
        )


def remind(db: Session, data: RemindIn, *, actor: str, actor_kind: str) -> RemindOut:
    """Overdue, unpaid invoices not reminded in the last `min_days_between` days: one inbox message each."""
    today = data.as_of or date.today()
    cutoff = datetime.now().astimezone() - timedelta(days=data.min_days_between)
    due = db.scalars(
        select(Invoice)
        .where(
            Invoice.status.in_(OUTSTANDING),
            Invoice.due_date < today,
            or_(Invoice.last_reminded_at.is_(None), Invoice.last_reminded_at <= cutoff),
        )
        .order_by(Invoice.id)
        .with_for_update(skip_locked=True)
    ).all()
    for inv in due:
        if inv.payer_subject:
            left = inv.amount_vnd - inv.paid_vnd
            notify(
                db,
                [inv.payer_subject],
                Message(
                    kind="fee_reminder",
                    title=f"Nhắc nộp phí: {inv.description}",
                    body=f"Còn {left:,} đ, hạn {inv.due_date:%d/%m/%Y}. Mã thanh toán {inv.reference}.".replace(
                        ",", "."
                    ),
                    priority="high",
                    source_type="invoice",
                    source_id=str(inv.id),
                ),
            )
    ids = [inv.id for inv in due]
    if ids:
        db.execute(
            update(Invoice)
            .where(Invoice.id.in_(ids))
            .values(reminder_count=Invoice.reminder_count + 1, last_reminded_at=func.now())
        )
    audit.record(
        db,
        actor=actor,
        actor_kind=actor_kind,
        action="remind",
        object_type="invoice_batch",
        object_id=today.isoformat(),
        after={"reminded": len(ids)},
    )
    return RemindOut(reminded=len(ids), invoice_ids=ids)


def ledger(db: Session, household_id: int) -> LedgerOut:
    entries = list(repository.ledger(db, household_id))
    if not entries and db.get(Household, household_id) is None:
        raise NotFound("Không tìm thấy hộ gia đình.", "Household not found.", code="household_not_found")
    balance = 0
    lines = []
    for e in entries:
        balance += e.amount_vnd
        lines.append(
            LedgerLine(
                id=e.id,
                kind=e.kind,
                amount_vnd=e.amount_vnd,
                balance_vnd=balance,
                invoice_id=e.invoice_id,
                payment_id=e.payment_id,
                memo=e.memo,
                at=e.at,
            )
        )
    return LedgerOut(household_id=household_id, balance_vnd=balance, entries=lines)
