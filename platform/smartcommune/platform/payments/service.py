"""Reconciliation: every webhook event is stored once, then matched to an invoice by reference and amount.

An exact match settles the invoice (receipt, ledger). Partial, over- and unmatched payments are flagged for
an official (`needs_review`) and the commune's officials get an inbox message. A replayed event finds its
(source, event id) already in the inbox and changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from smartcommune.platform.fees import repository as invoices
from smartcommune.platform.fees import service as fees
from smartcommune.platform.fees.models import Invoice
from smartcommune.platform.inbox.service import Message, notify
from smartcommune.platform.payments.adapters import BankTransfer
from smartcommune.platform.payments.models import Payment, WebhookEvent
from smartcommune.platform.payments.schemas import PaymentOut, ResolveIn, WebhookAck
from smartcommune.tenants import audit
from smartcommune.tenants.authz.policy import COMMUNE_ADMIN, COMMUNE_OFFICIAL
from smartcommune.tenants.authz.service import holders_of
from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.database import app_engine
from smartcommune.tenants.errors import Conflict, InvalidInput, NotFound


def store_event(db: Session, source: str, event_id: str, payload: dict[str, Any]) -> int | None:
    """The inbox insert: the id of the new row, or None when (source, event id) was seen before."""
    stmt = (
        pg_insert(WebhookEvent)
        .values(source=source, event_id=event_id[:100], payload=payload, outcome="received")
        .on_conflict_do_nothing(constraint="uq_webhook_events_source_event")
        .returning(WebhookEvent.id)
    )
    return db.scalar(stmt)


def receive_transfer(
    db: Session, tenant: TenantInfo, transfer: BankTransfer, payload: dict[str, Any], *, notify_officials: bool = True
) -> WebhookAck:
    event_row = store_event(db, transfer.source, transfer.event_id, payload)
    if event_row is None:
        return WebhookAck(duplicate=True, outcome="duplicate")
    if not transfer.incoming:
        _set_outcome(db, event_row, "ignored")
        return WebhookAck(outcome="ignored")
    payment = reconcile(db, tenant, transfer)
    _set_outcome(db, event_row, payment.match)
    if payment.needs_review and notify_officials:
        _tell_officials(db, tenant, payment)
    return WebhookAck(outcome=payment.match)


def _set_outcome(db: Session, event_id: int, outcome: str) -> None:
    db.execute(update(WebhookEvent).where(WebhookEvent.id == event_id).values(outcome=outcome))


def reconcile(db: Session, tenant: TenantInfo, transfer: BankTransfer) -> Payment:
    reference = fees.find_reference(transfer.memo, tenant.commune_code)
    invoice = invoices.invoice_by_reference(db, reference, lock=True) if reference else None
    payment = Payment(
        source=transfer.source,
        event_id=transfer.event_id[:100],
        amount_vnd=transfer.amount_vnd,
        memo=transfer.memo,
        bank_reference=transfer.bank_reference,
        reference=reference,
        invoice_id=invoice.id if invoice else None,
        match="unmatched",
        needs_review=True,
        transaction_at=transfer.at,
    )
    db.add(payment)
    db.flush()
    if invoice is not None:
        payment.match = fees.apply_payment(db, tenant, invoice, transfer.amount_vnd, payment_id=payment.id)
        payment.needs_review = payment.match != "exact"
    return payment


def _tell_officials(db: Session, tenant: TenantInfo, payment: Payment) -> None:
    what = {"partial": "thiếu", "over": "thừa", "unmatched": "không khớp hóa đơn"}.get(payment.match, payment.match)
    notify(
        db,
        holders_of(app_engine(), tenant.commune_code, (COMMUNE_ADMIN, COMMUNE_OFFICIAL)),
        Message(
            kind="payment_review",
            title=f"Khoản chuyển khoản {payment.amount_vnd:,} đ cần đối soát ({what})".replace(",", "."),
            body=payment.memo,
            priority="high",
            source_type="payment",
            source_id=str(payment.id),
        ),
    )


def review_queue(db: Session, *, limit: int) -> Sequence[Payment]:
    q = select(Payment).where(Payment.needs_review, Payment.resolved_at.is_(None)).order_by(Payment.id)
    return db.scalars(q.limit(limit)).all()


def list_payments(db: Session, *, invoice_id: int | None, limit: int, offset: int) -> Sequence[Payment]:
    q = select(Payment).order_by(Payment.id.desc()).limit(limit).offset(offset)
    if invoice_id is not None:
        q = q.where(Payment.invoice_id == invoice_id)
    return db.scalars(q).all()


def resolve(
    db: Session, tenant: TenantInfo, payment_id: int, data: ResolveIn, *, actor: str, actor_kind: str
) -> Payment:
    payment = db.get(Payment, payment_id, with_for_update=True)
    if payment is None:
        raise NotFound("Không tìm thấy khoản thanh toán.", "Payment not found.", code="payment_not_found")
    if not payment.needs_review or payment.resolved_at is not None:
        raise Conflict("Khoản này không cần đối soát.", "This payment needs no review.", code="payment_not_in_review")
    before = PaymentOut.model_validate(payment).model_dump(mode="json")
    if data.action == "assign":
        if payment.invoice_id is not None or data.invoice_id is None:
            raise InvalidInput(
                "Chỉ gán hóa đơn cho khoản chưa khớp, và cần mã hóa đơn.",
                "Only an unmatched payment can be assigned, and an invoice id is required.",
                code="assign_not_possible",
            )
        invoice = db.get(Invoice, data.invoice_id, with_for_update=True)
        if invoice is None:
            raise NotFound("Không tìm thấy hóa đơn.", "Invoice not found.", code="invoice_not_found")
        payment.invoice_id = invoice.id
        payment.reference = invoice.reference
        payment.match = fees.apply_payment(db, tenant, invoice, payment.amount_vnd, payment_id=payment.id)
    payment.resolution = data.action
    payment.resolution_note = data.note
    payment.resolved_by = actor
    payment.resolved_at = datetime.now().astimezone()
    db.flush()
    audit.record(
        db,
        actor=actor,
        actor_kind=actor_kind,
        action=f"resolve_{data.action}",
        object_type="payment",
        object_id=str(payment.id),
        before=before,
        after=PaymentOut.model_validate(payment).model_dump(mode="json"),
    )
    return payment
