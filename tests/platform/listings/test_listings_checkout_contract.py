"""Listings and visitors' card payments: the exact Stripe Checkout call (against a local recording stand-in,
not Stripe), its idempotency key, the signed `checkout.session.completed` webhook into the commune's inbox,
replayed and tampered events, and public listing pages per commune."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import select

from smartcommune.platform.listings import service
from smartcommune.platform.listings.models import ListingRequest
from smartcommune.platform.listings.schemas import ListingIn, ListingPatch
from smartcommune.platform.payments.models import Payment, WebhookEvent
from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.errors import InvalidInput
from smartcommune.tenants.session import tenant_transaction
from smartcommune.tenants.settings import get_settings

WHO = {"actor": "can.bo.du.lich", "actor_kind": "commune"}


def host(t: TenantInfo) -> dict[str, str]:
    return {"host": f"{t.slug}.{get_settings().base_domain}"}


def homestay(t: TenantInfo, *, card: bool = True) -> int:
    with tenant_transaction(t) as db:
        data = ListingIn(
            kind="tourism",
            category="homestay",
            title="Homestay <i>Cồn Tiên</i>",
            description="Nhà sàn, bữa tối đặc sản gà Cỏ.",
            price_vnd=450_000,
            price_unit="/đêm",
            contact_name="Chị Hoa",
            contact_phone="0912345678",
            shop_links=[{"name": "Shopee", "url": "https://shopee.vn/ot-cam-lo"}],
            accepts_card=card,
        )
        listing = service.create(db, data, **WHO)
        assert listing.title == "Homestay Cồn Tiên"
        return listing.id


def signed(payload: bytes, secret: str, ts: int | None = None) -> str:
    ts = ts or int(time.time())
    mac = hmac.new(secret.encode(), f"{ts}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={ts},v1={mac}"


def completed_event(session_id: str, commune_code: int, amount: int, event_id: str) -> bytes:
    event: dict[str, Any] = {
        "id": event_id,
        "object": "event",
        "type": "checkout.session.completed",
        "api_version": "2025-01-27.acacia",
        "created": int(time.time()),
        "data": {
            "object": {
                "id": session_id,
                "object": "checkout.session",
                "amount_total": amount,
                "currency": "vnd",
                "payment_status": "paid",
                "payment_intent": "pi_test_1",
                "metadata": {"commune_code": str(commune_code)},
            }
        },
    }
    return json.dumps(event).encode()


def test_card_booking_contract_and_webhook(
    client: TestClient, stripe_stand_in: Any, communes: tuple[TenantInfo, TenantInfo]
) -> None:
    a, b = communes
    secret = get_settings().stripe_checkout_webhook_secret
    listing_id = homestay(a)
    body = {
        "name": "Nguyễn Khách",
        "phone": "0987654321",
        "quantity": 2,
        "starts_on": "2026-12-24",
        "pay_by_card": True,
    }
    stripe_stand_in.requests.clear()
    r = client.post(f"/api/v1/public/listings/{listing_id}/requests", json=body, headers=host(a))
    assert r.status_code == 201, r.text
    ack = r.json()
    assert ack["status"] == "awaiting_payment" and ack["amount_vnd"] == 900_000
    assert ack["checkout_url"].startswith("https://checkout.stripe.com/")
    assert set(ack) == {"id", "status", "amount_vnd", "checkout_url"}  # nothing about other visitors
    # The exact call: one Checkout Session in VND with the deterministic idempotency key.
    [call] = stripe_stand_in.requests
    assert call.path == "/v1/checkout/sessions"
    assert call.headers["idempotency-key"] == f"sc-checkout-{a.commune_code}-{ack['id']}"
    assert call.headers["authorization"] == "Bearer sk_test_smartcommune"
    form = call.form
    assert form["mode"] == "payment" and form["locale"] == "vi"
    assert form["line_items[0][price_data][currency]"] == "vnd"
    assert form["line_items[0][price_data][unit_amount]"] == "450000"
    assert form["line_items[0][quantity]"] == "2"
    assert form["line_items[0][price_data][product_data][name]"] == "Homestay Cồn Tiên"
    assert form["metadata[commune_code]"] == str(a.commune_code)
    assert form["client_reference_id"] == f"{a.commune_code}:{ack['id']}"
    assert form["success_url"].startswith(f"http://{a.slug}.")
    with tenant_transaction(a) as db:
        row = db.get(ListingRequest, ack["id"])
        assert row is not None and row.checkout_session_id
        session_id = row.checkout_session_id

    event_id = f"evt_test_{ack['id']}_{a.commune_code}"
    payload = completed_event(session_id, a.commune_code, 900_000, event_id)
    hook = "/webhooks/stripe-checkout"
    # Tampered: the signature was made for another body.
    tampered = payload.replace(b"900000", b"1")
    bad = client.post(hook, content=tampered, headers=host(a) | {"stripe-signature": signed(payload, secret)})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "stripe_signature_invalid"
    wrong_secret = client.post(hook, content=payload, headers=host(a) | {"stripe-signature": signed(payload, "x")})
    assert wrong_secret.status_code == 400
    stale = signed(payload, secret, ts=int(time.time()) - 3600)
    assert client.post(hook, content=payload, headers=host(a) | {"stripe-signature": stale}).status_code == 400
    # Genuine, then replayed: paid once.
    first = client.post(hook, content=payload, headers=host(a) | {"stripe-signature": signed(payload, secret)})
    assert first.status_code == 200, first.text
    assert first.json() == {"duplicate": False, "outcome": "paid"}
    again = client.post(hook, content=payload, headers=host(a) | {"stripe-signature": signed(payload, secret)})
    assert again.json() == {"duplicate": True, "outcome": "duplicate"}
    with tenant_transaction(a) as db:
        row = db.get(ListingRequest, ack["id"])
        assert row is not None and row.status == "paid" and row.paid_at is not None
        payments = list(db.scalars(select(Payment).where(Payment.event_id == event_id)))
        assert [(p.match, p.amount_vnd, p.needs_review) for p in payments] == [("card", 900_000, False)]
        events = list(db.scalars(select(WebhookEvent).where(WebhookEvent.event_id == event_id)))
        assert [(e.source, e.payload["type"]) for e in events] == [("stripe", "checkout.session.completed")]
    # The same event on the other commune's host matches nothing there.
    other = client.post(hook, content=payload, headers=host(b) | {"stripe-signature": signed(payload, secret)})
    assert other.json()["outcome"] == "unmatched"
    with tenant_transaction(b) as db:
        assert not list(db.scalars(select(Payment).where(Payment.event_id == event_id)))


def test_requests_without_card_and_refusals(client: TestClient, communes: tuple[TenantInfo, TenantInfo]) -> None:
    a, b = communes
    no_card = homestay(a, card=False)
    body = {"name": "Khách", "phone": "0987654321", "quantity": 1}
    r = client.post(f"/api/v1/public/listings/{no_card}/requests", json=body, headers=host(a))
    assert r.status_code == 201 and r.json()["status"] == "new" and r.json()["checkout_url"] is None
    refused = client.post(
        f"/api/v1/public/listings/{no_card}/requests", json=body | {"pay_by_card": True}, headers=host(a)
    )
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "card_not_accepted"
    with tenant_transaction(a) as db:  # the refused request left nothing behind
        assert len(service.list_requests(db, listing_id=no_card, status=None)) == 1
    # Another commune does not serve this listing; a hidden listing is not public.
    assert client.get(f"/api/v1/public/listings/{no_card}", headers=host(a)).status_code == 200
    with tenant_transaction(b) as db:
        mine_in_b = {x.id for x in service.search(db, kind=None, category=None, public=True)}
    if no_card not in mine_in_b:
        assert client.get(f"/api/v1/public/listings/{no_card}", headers=host(b)).status_code == 404
    with tenant_transaction(a) as db:
        service.update(db, no_card, ListingPatch(active=False), **WHO)
    assert client.get(f"/api/v1/public/listings/{no_card}", headers=host(a)).status_code == 404
    with pytest.raises(InvalidInput) as e, tenant_transaction(a) as db:
        service.create(
            db,
            ListingIn(
                kind="service",
                category="cay_xoi",
                title="Cày xới",
                contact_name="A",
                contact_phone="0912345678",
                accepts_card=True,
            ),
            **WHO,
        )
    assert e.value.code == "card_not_applicable"


def test_photos_are_public_only_for_their_listing(client: TestClient, communes: tuple[TenantInfo, TenantInfo]) -> None:
    a, _ = communes
    listing_id = homestay(a)
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 120, 30)).save(out, format="PNG")
    with tenant_transaction(a) as db:
        listing = service.add_photos(db, a, listing_id, [("nha.png", out.getvalue())], **WHO)
        [photo_id] = listing.photo_ids
    r = client.get(f"/api/v1/public/listings/{listing_id}/photos/{photo_id}", headers=host(a))
    assert r.status_code == 200 and r.headers["content-type"] == "image/png"
    other = homestay(a)
    assert client.get(f"/api/v1/public/listings/{other}/photos/{photo_id}", headers=host(a)).status_code == 404


def test_public_requests_are_rate_limited_per_phone_and_per_address(
    client: TestClient, communes: tuple[TenantInfo, TenantInfo]
) -> None:
    a, b = communes
    listing_a, listing_b = homestay(a, card=False), homestay(b, card=False)
    path = f"/api/v1/public/listings/{listing_a}/requests"
    # One client address of its own (a visitor behind a carrier NAT), so the per-address count is this test's.
    visitor = TestClient(client.app, client=("203.0.113.7", 50000))
    phone = f"09{time.time_ns() % 10**8:08d}"
    body = {"name": "Khách", "phone": phone, "quantity": 1}
    for _ in range(service.REQUESTS_PER_PHONE_PER_HOUR):
        assert visitor.post(path, json=body, headers=host(a)).status_code == 201
    with tenant_transaction(a) as db:
        before = len(service.list_requests(db, listing_id=listing_a, status=None))
    refused = visitor.post(path, json=body, headers=host(a))
    assert refused.status_code == 429, refused.text
    error = refused.json()["error"]
    assert error["code"] == "listing_requests_rate_limited" and error["details"]["per"] == "phone"
    assert error["details"]["limit_per_hour"] == service.REQUESTS_PER_PHONE_PER_HOUR
    # The same phone spelt +84… is the same phone; another commune counts its own requests.
    plus = visitor.post(path, json=body | {"phone": "+84" + phone[1:]}, headers=host(a))
    assert plus.status_code == 429
    other = visitor.post(f"/api/v1/public/listings/{listing_b}/requests", json=body, headers=host(b))
    assert other.status_code == 201
    with tenant_transaction(a) as db:  # refused requests stored nothing
        rows = service.list_requests(db, listing_id=listing_a, status=None)
        assert len(rows) == before and {r.client_ip for r in rows} == {"203.0.113.7"}
        assert {r.phone for r in rows} == {"+84" + phone[1:]}
    # Per address: other phones from the same address, up to the address's limit.
    for k in range(service.REQUESTS_PER_IP_PER_HOUR - service.REQUESTS_PER_PHONE_PER_HOUR):
        ok = visitor.post(path, json=body | {"phone": f"0{k + 1:02d}{phone[3:]}"}, headers=host(a))
        assert ok.status_code == 201, ok.text
    by_address = visitor.post(path, json=body | {"phone": "0977000999"}, headers=host(a))
    assert by_address.status_code == 429
    assert by_address.json()["error"]["details"]["per"] == "client_ip"
    # Another address with a fresh phone is served.
    elsewhere = TestClient(client.app, client=("198.51.100.20", 50000))
    assert elsewhere.post(path, json=body | {"phone": "0977000999"}, headers=host(a)).status_code == 201


def test_card_booking_from_the_public_page_goes_to_checkout_and_back(
    client: TestClient, stripe_stand_in: Any, communes: tuple[TenantInfo, TenantInfo]
) -> None:
    """Issue 15: a tourist books on the commune's public page (no account) and pays by card through Stripe
    Checkout; Checkout comes back to that page (not to the JSON API), which thanks them."""
    a, _ = communes
    listing_id = homestay(a)
    page = client.get(f"/listings/{listing_id}", headers=host(a) | {"accept": "text/html"})
    assert page.status_code == 200 and "name='pay_by_card'" in page.text
    stripe_stand_in.requests.clear()
    form = {
        "name": "Anna Schmidt",
        "phone": "0987 654 320",
        "quantity": "2",
        "starts_on": "24/12/2026",
        "pay_by_card": "1",
    }
    r = client.post(f"/listings/{listing_id}", data=form, headers=host(a), follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("https://checkout.stripe.com/")
    [call] = stripe_stand_in.requests
    assert call.form["success_url"] == f"http://{a.slug}.{get_settings().base_domain}/listings/{listing_id}?paid=1"
    assert call.form["line_items[0][quantity]"] == "2"
    back = client.get(f"/listings/{listing_id}?paid=1", headers=host(a) | {"accept": "text/html"})
    assert "Đã nhận thanh toán thẻ" in back.text and back.headers["cache-control"] == "no-store"
    # Without card payment on the listing, the page offers none and a forged field changes nothing.
    plain = homestay(a, card=False)
    assert "pay_by_card" not in client.get(f"/listings/{plain}", headers=host(a) | {"accept": "text/html"}).text
    stripe_stand_in.requests.clear()
    form["phone"] = "0987 654 321"
    sent = client.post(f"/listings/{plain}", data=form, headers=host(a), follow_redirects=False)
    assert sent.status_code == 201 and "Đã gửi yêu cầu số" in sent.text and stripe_stand_in.requests == []


def test_a_new_booking_reaches_the_communes_officials_inbox(communes: tuple[TenantInfo, TenantInfo]) -> None:
    """Staff notifications: a visitor's booking or order is an inbox item for the commune's officials (before,
    only device alarms and reports were)."""
    from testsupport.commune_world import new_person

    from smartcommune.platform.inbox.models import InboxItem
    from smartcommune.platform.listings.schemas import RequestIn

    a, _ = communes
    official = new_person(a, "commune_official")
    listing_id = homestay(a, card=False)
    with tenant_transaction(a) as db:
        row = service.submit_request(db, a, listing_id, RequestIn(name="Khách Huế", phone="0987000111", quantity=2))
    with tenant_transaction(a) as db:
        items = db.scalars(select(InboxItem).where(InboxItem.recipient == official.subject)).all()
    mine = [i for i in items if i.source_id == str(row.id)]
    assert len(mine) == 1 and mine[0].kind == "listing_request_new" and (mine[0].data or {})["code"] == mine[0].kind
    assert "Khách Huế" in mine[0].body and " / " not in mine[0].title
