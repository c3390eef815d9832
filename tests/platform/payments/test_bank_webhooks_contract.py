"""Contract tests of the bank-transfer webhooks: the exact payloads SePay and payOS document, posted to the
commune's host. No bank can call us here, so these are contract tests, not a live integration.

Each checks: signature (tampered or missing → 401, nothing stored), one inbox row per (source, event id),
matching by invoice reference and amount, partial/over/unmatched flagged, and that a replay changes nothing.
"""

from __future__ import annotations

import copy
import itertools
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from smartcommune.platform.fees import service as fees
from smartcommune.platform.fees.models import FeeType, Invoice, LedgerEntry, Receipt
from smartcommune.platform.fees.schemas import BankAccountIn, InvoiceIn
from smartcommune.platform.payments import adapters
from smartcommune.platform.payments.models import Payment, WebhookEvent
from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.session import tenant_transaction

SEPAY_KEY = "sepay-test-key-7f3a"
PAYOS_KEY = "payos-test-checksum-1c9d"
_ids = itertools.count(92704)
_households = itertools.count(5000)


def host(t: TenantInfo) -> dict[str, str]:
    return {"Host": f"{t.slug}.localhost"}


def new_invoice(t: TenantInfo, amount: int = 150_000) -> Invoice:
    with tenant_transaction(t) as db:
        ft = db.scalar(select(FeeType).where(FeeType.code == "nuoc"))
        if ft is None:
            ft = FeeType(code="nuoc", name="Tiền nước", category="water", default_amount_vnd=amount, due_days=10)
            db.add(ft)
            db.flush()
            fees.set_bank_account(
                db,
                BankAccountIn(bank_bin="970436", account_number="0123499999", account_name="UBND XA"),
                actor="test",
                actor_kind="commune",
            )
        data = InvoiceIn(household_id=next(_households), fee_type_id=ft.id, period="2026-11", amount_vnd=amount)
        return fees.issue_invoice(db, t, data, actor="test", actor_kind="commune")


def sepay_payload(amount: int, content: str, *, event_id: int | None = None) -> dict[str, Any]:
    """SePay's documented webhook body (docs.sepay.vn → Tích hợp WebHooks)."""
    return {
        "id": event_id if event_id is not None else next(_ids),
        "gateway": "Vietcombank",
        "transactionDate": "2026-11-21 14:02:37",
        "accountNumber": "0123499999",
        "code": None,
        "content": content,
        "transferType": "in",
        "transferAmount": amount,
        "accumulated": 19077000,
        "subAccount": None,
        "referenceCode": f"MBVCB.{next(_ids)}",
        "description": "",
    }


def payos_payload(amount: int, description: str, *, reference: str | None = None) -> dict[str, Any]:
    """payOS's documented webhook body (payos.vn/docs → Webhook), signed with the checksum key."""
    data = {
        "orderCode": next(_ids),
        "amount": amount,
        "description": description,
        "accountNumber": "12345678",
        "reference": reference or f"TF{next(_ids)}",
        "transactionDateTime": "2026-11-21 18:25:00",
        "currency": "VND",
        "paymentLinkId": "124c33293c43417ab7879e14c8d9eb18",
        "code": "00",
        "desc": "Thành công",
        "counterAccountBankId": "",
        "counterAccountBankName": "",
        "counterAccountName": "",
        "counterAccountNumber": "",
        "virtualAccountName": "",
        "virtualAccountNumber": "",
    }
    return {
        "code": "00",
        "desc": "success",
        "success": True,
        "data": data,
        "signature": adapters.payos_sign(data, PAYOS_KEY),
    }


def post_sepay(client: TestClient, t: TenantInfo, body: dict[str, Any], key: str = SEPAY_KEY) -> Any:
    return client.post("/webhooks/sepay", json=body, headers={**host(t), "Authorization": f"Apikey {key}"})


def counts(t: TenantInfo) -> tuple[int, int, int, int]:
    with tenant_transaction(t) as db:
        return (
            db.scalar(select(func.count()).select_from(WebhookEvent)) or 0,
            db.scalar(select(func.count()).select_from(Payment)) or 0,
            db.scalar(select(func.count()).select_from(LedgerEntry)) or 0,
            db.scalar(select(func.count()).select_from(Receipt)) or 0,
        )


def invoice_state(t: TenantInfo, invoice_id: int) -> tuple[str, int]:
    with tenant_transaction(t) as db:
        inv = db.get(Invoice, invoice_id)
        assert inv is not None
        return inv.status, inv.paid_vnd


def test_payos_signature_matches_the_documented_algorithm() -> None:
    """payOS: HMAC-SHA256 over `data` sorted by key as key=value&…; here an independent re-computation."""
    import hashlib
    import hmac

    data = {"orderCode": 123, "amount": 3000, "description": "VQRIO123", "desc": "success", "code": "00", "x": None}
    canonical = "amount=3000&code=00&desc=success&description=VQRIO123&orderCode=123&x="
    assert adapters.payos_signature_data(data) == canonical
    assert adapters.payos_sign(data, "k") == hmac.new(b"k", canonical.encode(), hashlib.sha256).hexdigest()


def test_sepay_exact_payment_settles_the_invoice_and_a_replay_changes_nothing(
    client: TestClient, communes: tuple[TenantInfo, TenantInfo]
) -> None:
    a, b = communes
    inv = new_invoice(a)
    body = sepay_payload(150_000, f"NGUYEN VAN A chuyen tien {inv.reference.lower()} FT2632")
    before_b = counts(b)
    r = post_sepay(client, a, body)
    assert r.status_code == 200, r.text
    assert r.json() == {"success": True, "duplicate": False, "outcome": "exact"}
    assert invoice_state(a, inv.id) == ("paid", 150_000)
    after = counts(a)
    for _ in range(3):  # SePay retries; every retry is a no-op
        again = post_sepay(client, a, body)
        assert again.status_code == 200 and again.json()["duplicate"] is True
    assert counts(a) == after
    assert invoice_state(a, inv.id) == ("paid", 150_000)
    assert counts(b) == before_b
    with tenant_transaction(a) as db:
        assert db.scalar(select(func.count()).select_from(Receipt).where(Receipt.invoice_id == inv.id)) == 1


def test_sepay_wrong_or_missing_api_key_is_refused_and_nothing_is_stored(
    client: TestClient, communes: tuple[TenantInfo, TenantInfo]
) -> None:
    a, _ = communes
    inv = new_invoice(a)
    body = sepay_payload(150_000, inv.reference)
    before = counts(a)
    assert post_sepay(client, a, body, key="sai-khoa").status_code == 401
    r = client.post("/webhooks/sepay", json=body, headers=host(a))
    assert r.status_code == 401 and r.json()["error"]["code"] == "webhook_signature_invalid"
    assert counts(a) == before
    assert invoice_state(a, inv.id) == ("open", 0)


@pytest.mark.parametrize(("paid", "match", "status"), [(100_000, "partial", "partial"), (200_000, "over", "overpaid")])
def test_partial_and_over_payments_are_flagged_for_an_official(
    client: TestClient, communes: tuple[TenantInfo, TenantInfo], paid: int, match: str, status: str
) -> None:
    a, _ = communes
    inv = new_invoice(a)
    r = post_sepay(client, a, sepay_payload(paid, f"TT {inv.reference}"))
    assert r.json()["outcome"] == match
    assert invoice_state(a, inv.id) == (status, paid)
    with tenant_transaction(a) as db:
        p = db.scalar(select(Payment).where(Payment.invoice_id == inv.id))
        assert p is not None and p.needs_review and p.match == match


def test_unmatched_and_other_communes_references_are_flagged_not_applied(
    client: TestClient, communes: tuple[TenantInfo, TenantInfo]
) -> None:
    a, b = communes
    inv_b = new_invoice(b)
    # Commune B's reference sent to commune A: A does not match it (the code carries B's commune code).
    r = post_sepay(client, a, sepay_payload(150_000, f"chuyen khoan {inv_b.reference}"))
    assert r.json()["outcome"] == "unmatched"
    assert invoice_state(b, inv_b.id) == ("open", 0)
    r = post_sepay(client, a, sepay_payload(50_000, "tien dien thang 11"))
    assert r.json()["outcome"] == "unmatched"


def test_outgoing_transfers_are_stored_but_ignored(client: TestClient, communes: tuple[TenantInfo, TenantInfo]) -> None:
    a, _ = communes
    body = sepay_payload(70_000, "chi tra")
    body["transferType"] = "out"
    before = counts(a)
    assert post_sepay(client, a, body).json()["outcome"] == "ignored"
    now = counts(a)
    assert (now[0] - before[0], now[1] - before[1]) == (1, 0)


def test_payos_signed_payment_matches_and_tampering_is_refused(
    client: TestClient, communes: tuple[TenantInfo, TenantInfo]
) -> None:
    _, b = communes
    inv = new_invoice(b, amount=320_000)
    body = payos_payload(320_000, f"CSEHJ {inv.reference}")
    forged = copy.deepcopy(body)
    forged["data"]["amount"] = 3_200_000  # amount changed after signing
    before = counts(b)
    r = client.post("/webhooks/payos", json=forged, headers=host(b))
    assert r.status_code == 401 and counts(b) == before
    r = client.post("/webhooks/payos", json=body, headers=host(b))
    assert r.status_code == 200 and r.json()["outcome"] == "exact"
    assert invoice_state(b, inv.id) == ("paid", 320_000)
    after = counts(b)
    assert client.post("/webhooks/payos", json=body, headers=host(b)).json()["duplicate"] is True
    assert counts(b) == after


def test_the_same_event_id_from_two_sources_is_two_events(
    client: TestClient, communes: tuple[TenantInfo, TenantInfo]
) -> None:
    a, _ = communes
    inv1, inv2 = new_invoice(a, 10_000), new_invoice(a, 10_000)
    post_sepay(client, a, sepay_payload(10_000, inv1.reference, event_id=777001))
    r = client.post("/webhooks/payos", json=payos_payload(10_000, inv2.reference, reference="777001"), headers=host(a))
    assert r.json()["outcome"] == "exact"


def test_webhooks_need_a_commune_host(client: TestClient) -> None:
    r = client.post("/webhooks/sepay", json=sepay_payload(1, "x"), headers={"Authorization": f"Apikey {SEPAY_KEY}"})
    assert r.status_code == 404
