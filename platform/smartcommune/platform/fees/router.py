from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from smartcommune.platform.fees import repository, service, vietqr
from smartcommune.platform.fees.schemas import (
    BankAccountIn,
    BankAccountOut,
    BulkIssueIn,
    BulkIssueOut,
    FeeTypeIn,
    FeeTypeOut,
    FeeTypePatch,
    InvoiceIn,
    InvoiceOut,
    LedgerOut,
    ReceiptOut,
    RemindIn,
    RemindOut,
    VietQROut,
)
from smartcommune.platform.http.auth import CommuneCall, authorize

router = APIRouter(prefix="/api/v1", tags=["fees"])
QRFormat = Literal["json", "svg", "png"]


def _qr(out: VietQROut, fmt: QRFormat) -> VietQROut | Response:
    if fmt == "svg":
        return Response(vietqr.qr_svg(out.payload), media_type="image/svg+xml")
    if fmt == "png":
        return Response(vietqr.qr_png(out.payload), media_type="image/png")
    return out


@router.get("/fees/types", response_model=list[FeeTypeOut])
def list_fee_types(call: CommuneCall = Depends(authorize("fees", "read"))) -> list[FeeTypeOut]:
    return [FeeTypeOut.model_validate(f) for f in repository.list_fee_types(call.db)]


@router.post("/fees/types", response_model=FeeTypeOut, status_code=201)
def create_fee_type(data: FeeTypeIn, call: CommuneCall = Depends(authorize("fees", "write"))) -> FeeTypeOut:
    return FeeTypeOut.model_validate(
        service.create_fee_type(call.db, data, actor=call.actor, actor_kind=call.actor_kind)
    )


@router.patch("/fees/types/{fee_type_id}", response_model=FeeTypeOut)
def update_fee_type(
    fee_type_id: int, data: FeeTypePatch, call: CommuneCall = Depends(authorize("fees", "write"))
) -> FeeTypeOut:
    row = service.update_fee_type(call.db, fee_type_id, data, actor=call.actor, actor_kind=call.actor_kind)
    return FeeTypeOut.model_validate(row)


@router.get("/fees/bank-account", response_model=BankAccountOut)
def get_bank_account(call: CommuneCall = Depends(authorize("fees", "read"))) -> BankAccountOut:
    return BankAccountOut.model_validate(service.bank_account(call.db))


@router.put("/fees/bank-account", response_model=BankAccountOut)
def set_bank_account(data: BankAccountIn, call: CommuneCall = Depends(authorize("fees", "write"))) -> BankAccountOut:
    row = service.set_bank_account(call.db, data, actor=call.actor, actor_kind=call.actor_kind)
    return BankAccountOut.model_validate(row)


@router.get("/fees/invoices", response_model=list[InvoiceOut])
def list_invoices(
    household_id: int | None = None,
    period: str | None = Query(default=None, pattern=r"^\d{4}-\d{2}$"),
    status: Literal["open", "partial", "paid", "overpaid"] | None = None,
    limit: int = Query(default=100, ge=1, le=1000),
    offset: int = Query(default=0, ge=0),
    call: CommuneCall = Depends(authorize("invoices", "read")),
) -> list[InvoiceOut]:
    rows = repository.list_invoices(
        call.db, household_id=household_id, period=period, status=status, limit=limit, offset=offset
    )
    return service.with_households(call.db, rows)


@router.post("/fees/invoices", response_model=InvoiceOut, status_code=201)
def issue_invoice(data: InvoiceIn, call: CommuneCall = Depends(authorize("invoices", "write"))) -> InvoiceOut:
    row = service.issue_invoice(call.db, call.tenant, data, actor=call.actor, actor_kind=call.actor_kind)
    return InvoiceOut.model_validate(row)


@router.post("/fees/invoices/bulk", response_model=BulkIssueOut)
def bulk_issue(data: BulkIssueIn, call: CommuneCall = Depends(authorize("invoices", "write"))) -> BulkIssueOut:
    """Issue one invoice per household for a fee type and period; rerunning creates nothing new."""
    return service.bulk_issue(call.db, call.tenant, data, actor=call.actor, actor_kind=call.actor_kind)


@router.get("/fees/invoices/{invoice_id}", response_model=InvoiceOut)
def get_invoice(invoice_id: int, call: CommuneCall = Depends(authorize("invoices", "read"))) -> InvoiceOut:
    return InvoiceOut.model_validate(service.get_invoice(call.db, invoice_id))


@router.get("/fees/invoices/{invoice_id}/vietqr", response_model=VietQROut)
def invoice_vietqr(
    invoice_id: int,
    fmt: QRFormat = Query(default="json", alias="format"),
    call: CommuneCall = Depends(authorize("invoices", "read")),
) -> VietQROut | Response:
    return _qr(service.invoice_vietqr(call.db, service.get_invoice(call.db, invoice_id)), fmt)


@router.post("/fees/reminders", response_model=RemindOut)
def send_reminders(data: RemindIn, call: CommuneCall = Depends(authorize("invoices", "write"))) -> RemindOut:
    return service.remind(call.db, data, actor=call.actor, actor_kind=call.actor_kind)


@router.get("/fees/households/{household_id}/ledger", response_model=LedgerOut)
def household_ledger(household_id: int, call: CommuneCall = Depends(authorize("invoices", "read"))) -> LedgerOut:
    return service.ledger(call.db, household_id)


@router.get("/fees/receipts", response_model=list[ReceiptOut])
def list_receipts(
    household_id: int | None = None,
    limit: int = Query(default=100, ge=1, le=1000),
    call: CommuneCall = Depends(authorize("invoices", "read")),
) -> list[ReceiptOut]:
    return [ReceiptOut.model_validate(r) for r in repository.receipts(call.db, household_id=household_id, limit=limit)]


# -- a resident's own invoices (ownership is the SQL filter on payer_subject) ----------------------
@router.get("/me/invoices", response_model=list[InvoiceOut])
def my_invoices(call: CommuneCall = Depends(authorize("profile", "read"))) -> list[InvoiceOut]:
    rows = repository.list_invoices(call.db, payer_subject=call.principal.subject, limit=200)
    return [InvoiceOut.model_validate(r) for r in rows]


@router.get("/me/receipts", response_model=list[ReceiptOut])
def my_receipts(call: CommuneCall = Depends(authorize("profile", "read"))) -> list[ReceiptOut]:
    """Receipts (biên lai) of the invoices this resident pays, newest first."""
    rows = repository.receipts(call.db, household_id=None, limit=200, payer_subject=call.principal.subject)
    return [ReceiptOut.model_validate(r) for r in rows]


@router.get("/me/invoices/{invoice_id}/vietqr", response_model=VietQROut)
def my_invoice_vietqr(
    invoice_id: int,
    fmt: QRFormat = Query(default="json", alias="format"),
    call: CommuneCall = Depends(authorize("profile", "read")),
) -> VietQROut | Response:
    invoice = service.get_invoice(call.db, invoice_id, payer_subject=call.principal.subject)
    return _qr(service.invoice_vietqr(call.db, invoice), fmt)
