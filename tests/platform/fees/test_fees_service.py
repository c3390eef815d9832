"""Fees on real PostgreSQL in both communes: bulk issue is idempotent per household + fee type + period,
reminders reach the payer's inbox once per interval, the ledger balances, a receipt follows full payment."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, update

from smartcommune.platform.fees import repository, service, vietqr
from smartcommune.platform.fees.models import FeeType, Invoice
from smartcommune.platform.fees.schemas import BankAccountIn, BulkIssueIn, BulkLine, FeeTypeIn, InvoiceIn, RemindIn
from smartcommune.platform.inbox.models import InboxItem
from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.errors import Conflict, InvalidInput, NotFound
from smartcommune.tenants.session import tenant_transaction

_n = itertools.count(1)
WHO = {"actor": "ke.toan", "actor_kind": "commune"}


def fee_type(t: TenantInfo, amount: int | None = 200_000) -> int:
    with tenant_transaction(t) as db:
        data = FeeTypeIn(
            code=f"hp-{next(_n)}", name="Học phí <b>mầm non</b>", category="tuition", default_amount_vnd=amount
        )
        ft = service.create_fee_type(db, data, **WHO)
        assert ft.name == "Học phí mầm non"
        return ft.id


@pytest.mark.parametrize("which", [0, 1])
def test_bulk_issue_is_idempotent_and_per_commune(communes: tuple[TenantInfo, TenantInfo], which: int) -> None:
    t, other = communes[which], communes[1 - which]
    ft = fee_type(t)
    lines = [BulkLine(household_id=h) for h in range(1, 301)] + [BulkLine(household_id=1)]
    with tenant_transaction(other) as db:
        other_count = db.scalar(select(func.count()).select_from(Invoice))
    with tenant_transaction(t) as db:
        first = service.bulk_issue(db, t, BulkIssueIn(fee_type_id=ft, period="2026-11", lines=lines), **WHO)
    assert (first.created, first.existing) == (300, 0)
    with tenant_transaction(t) as db:
        again = service.bulk_issue(db, t, BulkIssueIn(fee_type_id=ft, period="2026-11", lines=lines), **WHO)
        assert (again.created, again.existing) == (0, 300)
        nxt = service.bulk_issue(db, t, BulkIssueIn(fee_type_id=ft, period="2026-12", lines=lines[:10]), **WHO)
        assert nxt.created == 10
        inv = db.get(Invoice, first.invoice_ids[0])
        assert inv is not None and inv.reference == service.reference_for(t.commune_code, inv.id)
        assert service.find_reference(f"ck {inv.reference[:6]} {inv.reference[6:]}.", t.commune_code) == inv.reference
        with pytest.raises(Conflict):
            service.issue_invoice(db, t, InvoiceIn(household_id=1, fee_type_id=ft, period="2026-11"), **WHO)
    with tenant_transaction(other) as db:
        assert db.scalar(select(func.count()).select_from(Invoice)) == other_count


def test_an_amount_is_required_without_a_default(communes: tuple[TenantInfo, TenantInfo]) -> None:
    a, _ = communes
    ft = fee_type(a, amount=None)
    with tenant_transaction(a) as db, pytest.raises(InvalidInput):
        service.issue_invoice(db, a, InvoiceIn(household_id=9, fee_type_id=ft, period="2026-11"), **WHO)


def test_vietqr_of_an_invoice_carries_its_reference_and_outstanding_amount(
    communes: tuple[TenantInfo, TenantInfo],
) -> None:
    _, b = communes
    ft = fee_type(b, amount=85_000)
    with tenant_transaction(b) as db:
        service.set_bank_account(
            db, BankAccountIn(bank_bin="970405", account_number="3600205", account_name="UBND"), **WHO
        )
        inv = service.issue_invoice(db, b, InvoiceIn(household_id=77, fee_type_id=ft, period="2026-10"), **WHO)
        service.apply_payment(db, b, inv, 5_000, payment_id=0)
        qr = service.invoice_vietqr(db, inv)
    decoded = vietqr.parse_payload(qr.payload)
    assert (decoded.bank_bin, decoded.account, decoded.amount_vnd, decoded.reference) == (
        "970405",
        "3600205",
        80_000,
        inv.reference,
    )


def test_reminders_ledger_and_receipt(communes: tuple[TenantInfo, TenantInfo]) -> None:
    a, _ = communes
    ft = fee_type(a, amount=120_000)
    payer = f"resident-{next(_n)}"
    with tenant_transaction(a) as db:
        inv = service.issue_invoice(
            db, a, InvoiceIn(household_id=4242, fee_type_id=ft, period="2026-09", payer_subject=payer), **WHO
        )
        db.execute(update(Invoice).where(Invoice.id == inv.id).values(due_date=date.today() - timedelta(days=2)))
    with tenant_transaction(a) as db:
        first = service.remind(db, RemindIn(), **WHO)
        assert inv.id in first.invoice_ids
        assert inv.id not in service.remind(db, RemindIn(), **WHO).invoice_ids  # not twice within 3 days
    with tenant_transaction(a) as db:
        invoice = db.get(Invoice, inv.id)
        assert invoice is not None
        assert service.apply_payment(db, a, invoice, 20_000, payment_id=1) == "partial"
        assert service.apply_payment(db, a, invoice, 100_000, payment_id=2) == "exact"
        ledger = service.ledger(db, 4242)
        kinds = [(e.kind, e.amount_vnd, e.balance_vnd) for e in ledger.entries if e.invoice_id == inv.id]
        assert (
            kinds
            == [("charge", 120_000, 120_000), ("payment", -20_000, 100_000), ("payment", -100_000, 0)][: len(kinds)]
        )
        messages = db.scalars(select(InboxItem.kind).where(InboxItem.recipient == payer).order_by(InboxItem.id)).all()
        assert messages == ["fee_reminder", "fee_receipt"]
        # The payer's own receipts: theirs only.
        mine = repository.receipts(db, household_id=None, limit=50, payer_subject=payer)
        assert [(r.invoice_id, r.amount_vnd) for r in mine] == [(inv.id, 120_000)]
        assert not repository.receipts(db, household_id=None, limit=50, payer_subject=f"{payer}-someone-else")
        assert db.scalar(select(FeeType.name).where(FeeType.id == ft)) == "Học phí mầm non"


def test_a_fee_type_is_edited_and_deactivated(communes: tuple[TenantInfo, TenantInfo]) -> None:
    from smartcommune.platform.fees.schemas import FeeTypePatch

    a, b = communes
    ft = fee_type(a)
    with tenant_transaction(a) as db:
        row = service.update_fee_type(db, ft, FeeTypePatch(name="Học phí tiểu học", due_days=30), **WHO)
        assert (row.name, row.due_days, row.default_amount_vnd, row.active) == ("Học phí tiểu học", 30, 200_000, True)
        row = service.update_fee_type(db, ft, FeeTypePatch(clear_default_amount=True, active=False), **WHO)
        assert (row.default_amount_vnd, row.active) == (None, False)
        with pytest.raises(InvalidInput) as refused:
            service.bulk_issue(
                db, a, BulkIssueIn(fee_type_id=ft, period="2026-11", lines=[BulkLine(household_id=1)]), **WHO
            )
        assert refused.value.code == "fee_type_inactive"
    with tenant_transaction(b) as db, pytest.raises(NotFound):
        service.update_fee_type(db, ft, FeeTypePatch(active=False), **WHO)


def test_invoices_name_the_head_of_household_and_house_number(communes: tuple[TenantInfo, TenantInfo]) -> None:
    from smartcommune.platform.residents.models import Household
    from smartcommune.platform.villages.models import Village

    a, _ = communes
    ft = fee_type(a)
    n = next(_n)
    with tenant_transaction(a) as db:
        village = Village(code=f"thon-{n}", name="Thôn Một")
        db.add(village)
        db.flush()
        home = Household(village_id=village.id, house_number=f"12-{n}", head_name="Nguyễn Văn An")
        db.add(home)
        db.flush()
        inv = service.issue_invoice(db, a, InvoiceIn(household_id=home.id, fee_type_id=ft, period="2026-10"), **WHO)
        stray = service.issue_invoice(db, a, InvoiceIn(household_id=987_654, fee_type_id=ft, period="2026-10"), **WHO)
        out = {i.id: i for i in service.with_households(db, [inv, stray])}
    assert (out[inv.id].household_head, out[inv.id].house_number) == ("Nguyễn Văn An", f"12-{n}")
    assert (out[stray.id].household_head, out[stray.id].house_number) == (None, None)
