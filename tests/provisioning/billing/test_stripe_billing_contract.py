"""Contract tests of subscription billing against a local Stripe stand-in (see conftest): the exact requests
the real `stripe` library sends (method, path, form-encoded parameters, Idempotency-Key), reruns that send
nothing, and webhooks signed with the real scheme (`t=…,v1=HMAC-SHA256`) verified by the library."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from smartcommune.provisioning.billing import service
from smartcommune.provisioning.billing.schemas import PlanIn
from smartcommune.tenants import registry
from smartcommune.tenants.authz import service as authz
from smartcommune.tenants.authz.policy import COMMUNE_ADMIN, PROVIDER_ADMIN
from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.control.models import BillingAccount, ControlWebhookEvent
from smartcommune.tenants.database import app_engine, owner_engine
from smartcommune.tenants.official_list import all_communes
from smartcommune.tenants.principal import PROVIDER_REALM, Principal

WEBHOOK_SECRET = "whsec_test_" + "a1" * 16
PLAN = PlanIn.model_validate(
    {
        "code": "xa-tieu-chuan",
        "name": "Gói tiêu chuẩn",
        "base_price_id": "price_Base2026",
        "meters": {
            "active_residents": {"price": "price_Residents", "event_name": "sc_active_residents"},
            "cameras": {"price": "price_Cameras", "event_name": "sc_cameras"},
            "devices": {"price": "price_Devices", "event_name": "sc_devices"},
        },
    }
)


def signed(payload: dict[str, Any], secret: str = WEBHOOK_SECRET, *, at: int | None = None) -> tuple[bytes, str]:
    body = json.dumps(payload).encode()
    ts = at or int(time.time())
    mac = hmac.new(secret.encode(), f"{ts}.".encode() + body, hashlib.sha256).hexdigest()
    return body, f"t={ts},v1={mac}"


def event(kind: str, obj: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": f"evt_{uuid.uuid4().hex[:24]}",
        "object": "event",
        "api_version": "2025-09-30.clover",
        "created": int(time.time()),
        "type": kind,
        "livemode": False,
        "data": {"object": obj},
    }


def fresh_commune() -> TenantInfo:
    """A commune of its own (dunning suspends it), picked from the end of the official list."""
    with owner_engine().connect() as conn:
        taken = set(conn.execute(text("SELECT commune_code FROM control.tenants")).scalars())
    code = next(c.code for c in reversed(all_communes()) if c.code not in taken and c.province_code not in (44, 38))
    return registry.create_commune(owner_engine(), code).tenant


def test_subscription_contract_and_rerun_sends_nothing(
    fake_stripe: Any, communes: tuple[TenantInfo, TenantInfo]
) -> None:
    a, _ = communes
    service.upsert_plan(PLAN)
    fake_stripe.take()
    acct = service.subscribe(str(a.commune_code), PLAN.code)
    sent = fake_stripe.take()
    assert [(r.method, r.path) for r in sent] == [("POST", "/v1/customers"), ("POST", "/v1/subscriptions")]
    customer, subscription = sent
    assert customer.headers["idempotency-key"] == f"sc-customer-{a.commune_code}"
    assert customer.headers["authorization"] == "Bearer sk_test_smartcommune"
    assert customer.form["name"] == a.name
    assert customer.form["metadata[commune_code]"] == str(a.commune_code)
    assert customer.form["metadata[tenant_id]"] == str(a.id)
    assert ("preferred_locales[0]", "vi") in customer.params and ("preferred_locales[1]", "en") in customer.params
    assert subscription.headers["idempotency-key"] == f"sc-subscription-{a.commune_code}-{PLAN.code}"
    assert subscription.form["customer"] == acct.stripe_customer_id
    assert [v for k, v in subscription.params if k.startswith("items[")] == [
        "price_Base2026",
        "price_Residents",
        "price_Cameras",
        "price_Devices",
    ]
    assert subscription.form["collection_method"] == "send_invoice"
    assert (acct.status, acct.stripe_subscription_id) == ("active", acct.stripe_subscription_id)
    again = service.subscribe(str(a.commune_code), PLAN.code)
    assert fake_stripe.take() == []
    assert again.stripe_subscription_id == acct.stripe_subscription_id


def test_daily_usage_meter_events_with_deterministic_keys(
    fake_stripe: Any, communes: tuple[TenantInfo, TenantInfo]
) -> None:
    a, b = communes
    service.upsert_plan(PLAN)
    service.subscribe(str(a.commune_code), PLAN.code)
    service.subscribe(str(b.commune_code), PLAN.code)
    fake_stripe.take()
    day = date(2026, 11, 20)
    lines = service.report_usage(day)
    sent = fake_stripe.take()
    mine = [
        r
        for r in sent
        if r.form["identifier"].startswith((f"sc-usage-{a.commune_code}-", f"sc-usage-{b.commune_code}-"))
    ]
    assert len(mine) == 6 and all((r.method, r.path) == ("POST", "/v1/billing/meter_events") for r in mine)
    for r in mine:
        assert r.headers["idempotency-key"] == r.form["identifier"]
        code, meter = r.form["identifier"].split("-")[2], r.form["identifier"].split("2026-11-20-")[1]
        assert r.form["identifier"] == f"sc-usage-{code}-2026-11-20-{meter}"
        assert r.form["event_name"] == f"sc_{meter}"
        assert r.form["timestamp"] == str(int(datetime(2026, 11, 20, 12, tzinfo=UTC).timestamp()))
        assert r.form["payload[stripe_customer_id]"].startswith("cus_")
        assert int(r.form["payload[value]"]) >= 0
    residents = {line.commune_code: line.value for line in lines if line.meter == "active_residents"}
    assert residents[a.commune_code] >= 0
    assert service.report_usage(day) and fake_stripe.take() == []  # a rerun of the day sends nothing


def _stripe_post(client: TestClient, payload: bytes, sig: str) -> Any:
    return client.post(
        "/webhooks/stripe", content=payload, headers={"Stripe-Signature": sig, "Content-Type": "application/json"}
    )


def test_signed_webhooks_update_status_once_and_bad_signatures_are_refused(
    client: TestClient, fake_stripe: Any
) -> None:
    t = fresh_commune()
    admin = str(uuid.uuid4())
    seeder = Principal(subject="billing-tests", realm=PROVIDER_REALM, realm_roles=(PROVIDER_ADMIN,), username="t")
    authz.assign_role(app_engine(), seeder, t.commune_code, f"user:{admin}", COMMUNE_ADMIN)
    service.upsert_plan(PLAN)
    acct = service.subscribe(str(t.commune_code), PLAN.code)
    evt = event("invoice.payment_failed", {"id": "in_1", "object": "invoice", "customer": acct.stripe_customer_id})
    body, sig = signed(evt)
    _, wrong = signed(evt, secret="whsec_someone_else")
    tampered = body.replace(b"invoice.payment_failed", b"invoice.paid")
    _, stale = signed(evt, at=int(time.time()) - 3600)
    for payload, header in ((body, wrong), (tampered, sig), (body, stale), (body, "")):
        r = _stripe_post(client, payload, header)
        assert r.status_code == 400 and r.json()["error"]["code"] == "stripe_signature_invalid"
    with Session(app_engine()) as s:
        assert s.scalar(select(ControlWebhookEvent).where(ControlWebhookEvent.event_id == evt["id"])) is None
    r = _stripe_post(client, body, sig)
    assert r.status_code == 200 and r.json() == {"received": True, "duplicate": False, "outcome": "applied:past_due"}
    first = service.account(str(t.commune_code))
    assert first.status == "past_due" and first.unpaid_since is not None
    r = _stripe_post(client, body, sig)  # Stripe retries: nothing changes
    assert r.json()["duplicate"] is True
    assert service.account(str(t.commune_code)).unpaid_since == first.unpaid_since
    # Not on a commune's host.
    assert (
        client.post(
            "/webhooks/stripe", content=body, headers={"Stripe-Signature": sig, "Host": f"{t.slug}.localhost"}
        ).status_code
        == 404
    )

    # Dunning: grace passed → notice; notice period passed → suspended (data kept, never deleted).
    with Session(app_engine()) as s, s.begin():
        s.execute(
            update(BillingAccount)
            .where(BillingAccount.tenant_id == t.id)
            .values(unpaid_since=datetime.now().astimezone() - timedelta(days=15))
        )
    out = service.run_dunning()
    assert t.commune_code in out.noticed and t.commune_code not in out.suspended
    assert t.commune_code not in service.run_dunning().noticed  # the notice goes once
    with Session(app_engine()) as s, s.begin():
        s.execute(
            update(BillingAccount)
            .where(BillingAccount.tenant_id == t.id)
            .values(notice_sent_at=datetime.now().astimezone() - timedelta(days=8))
        )
    assert t.commune_code in service.run_dunning().suspended
    row = registry.get_commune(app_engine(), t.commune_code)
    assert row.status == "suspended"
    with owner_engine().connect() as conn:
        assert (
            conn.execute(
                text("SELECT count(*) FROM information_schema.schemata WHERE schema_name = :s"), {"s": t.schema_name}
            ).scalar()
            == 1
        )
        notices = conn.execute(
            text(f"SELECT count(*) FROM \"{t.schema_name}\".inbox_items WHERE kind = 'billing_notice'")
        ).scalar()
    assert notices == 1
    # Paying brings the account back to active (resuming the commune is the provider's decision).
    paid, paid_sig = signed(
        event("invoice.paid", {"id": "in_2", "object": "invoice", "customer": acct.stripe_customer_id})
    )
    assert _stripe_post(client, paid, paid_sig).json()["outcome"] == "applied:active"
    registry.resume_commune(owner_engine(), t.commune_code, actor="test")


@pytest.mark.parametrize("kind", ["customer.created", "charge.succeeded"])
def test_events_we_do_not_handle_are_stored_and_ignored(client: TestClient, kind: str) -> None:
    body, sig = signed(event(kind, {"id": "x", "object": "customer", "customer": "cus_nobody"}))
    assert _stripe_post(client, body, sig).json()["outcome"] in ("ignored", "unknown_customer")
