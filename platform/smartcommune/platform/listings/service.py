"""Listings, photos, visitor requests, and the Stripe Checkout webhook into the commune's webhook inbox."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import stripe
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from smartcommune.platform.files.models import StoredFile
from smartcommune.platform.files.service import PHOTO, FileBody, read_file, store_upload
from smartcommune.platform.inbox.service import Message, notify
from smartcommune.platform.listings import checkout
from smartcommune.platform.listings.models import Listing, ListingRequest
from smartcommune.platform.listings.schemas import (
    ListingIn,
    ListingOut,
    ListingPatch,
    RequestIn,
    RequestOut,
    WebhookAck,
)
from smartcommune.platform.payments.models import Payment
from smartcommune.platform.payments.service import store_event
from smartcommune.platform.production import gs1
from smartcommune.platform.production.models import Farm
from smartcommune.tenants import audit
from smartcommune.tenants.authz.policy import COMMUNE_ADMIN, COMMUNE_OFFICIAL
from smartcommune.tenants.authz.service import holders_of
from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.database import app_engine
from smartcommune.tenants.errors import InvalidInput, NotFound, RateLimited

MAX_PHOTOS = 8
STRIPE_SOURCE = "stripe"
# Public (no login) bookings and orders: per phone number and per client address, in this commune, in
# the last hour. A family booking from one phone rarely needs more; a shared address (a café, a carrier's
# NAT) gets more room than one phone.
REQUESTS_PER_PHONE_PER_HOUR = 5
REQUESTS_PER_IP_PER_HOUR = 20


def _snap(listing: Listing) -> dict[str, Any]:
    return ListingOut.model_validate(listing).model_dump(mode="json")


def get(db: Session, listing_id: int, *, public: bool = False) -> Listing:
    listing = db.get(Listing, listing_id)
    if listing is None or (public and not listing.active):
        raise NotFound("Không tìm thấy dịch vụ/sản phẩm.", "Listing not found.", code="listing_not_found")
    return listing


def search(db: Session, *, kind: str | None, category: str | None, public: bool, limit: int = 200) -> list[Listing]:
    q = select(Listing).order_by(Listing.id.desc()).limit(limit)
    if public:
        q = q.where(Listing.active.is_(True))
    if kind:
        q = q.where(Listing.kind == kind)
    if category:
        q = q.where(Listing.category == category)
    return list(db.scalars(q))


def _check_card(kind: str, price_vnd: int | None, accepts_card: bool) -> None:
    if accepts_card and (kind == "service" or not price_vnd):
        raise InvalidInput(
            "Chỉ tour/homestay và sản phẩm có giá mới nhận thanh toán thẻ.",
            "Card payment needs a priced tourism or product listing.",
            code="card_not_applicable",
        )


def create(db: Session, data: ListingIn, *, actor: str, actor_kind: str) -> Listing:
    if data.farm_id is not None and db.get(Farm, data.farm_id) is None:
        raise NotFound("Không tìm thấy cơ sở sản xuất.", "Farm not found.", code="farm_not_found")
    _check_card(data.kind, data.price_vnd, data.accepts_card)
    listing = Listing(**data.model_dump(mode="json"), photo_ids=[], created_by=actor)
    db.add(listing)
    db.flush()
    audit.record(
        db,
        actor=actor,
        actor_kind=actor_kind,
        action="create",
        object_type="listing",
        object_id=str(listing.id),
        after=_snap(listing),
    )
    return listing


def update(db: Session, listing_id: int, patch: ListingPatch, *, actor: str, actor_kind: str) -> Listing:
    listing = get(db, listing_id)
    before = _snap(listing)
    for key, value in patch.model_dump(mode="json", exclude_unset=True).items():
        setattr(listing, key, value)
    _check_card(listing.kind, listing.price_vnd, listing.accepts_card)
    listing.updated_at = datetime.now(UTC)
    db.flush()
    audit.record(
        db,
        actor=actor,
        actor_kind=actor_kind,
        action="update",
        object_type="listing",
        object_id=str(listing.id),
        before=before,
        after=_snap(listing),
    )
    return listing


def add_photos(
    db: Session, tenant: TenantInfo, listing_id: int, blobs: list[tuple[str, bytes]], *, actor: str, actor_kind: str
) -> Listing:
    listing = get(db, listing_id)
    if not blobs or len(listing.photo_ids) + len(blobs) > MAX_PHOTOS:
        raise InvalidInput(
            f"Mỗi tin có từ 1 đến {MAX_PHOTOS} ảnh.", f"A listing has 1 to {MAX_PHOTOS} photos.", code="photo_count"
        )
    before = _snap(listing)
    ids = [
        str(store_upload(db, tenant, filename=n, data=b, purpose="listing_photo", actor=actor, rules=PHOTO).id)
        for n, b in blobs
    ]
    listing.photo_ids = [*listing.photo_ids, *ids]
    db.flush()
    audit.record(
        db,
        actor=actor,
        actor_kind=actor_kind,
        action="add_photos",
        object_type="listing",
        object_id=str(listing.id),
        before=before,
        after=_snap(listing),
    )
    return listing


def photo(db: Session, tenant: TenantInfo, listing_id: int, file_id: uuid.UUID) -> tuple[StoredFile, FileBody]:
    listing = get(db, listing_id, public=True)
    if str(file_id) not in listing.photo_ids:
        raise NotFound("Không tìm thấy ảnh.", "Photo not found.", code="file_not_found")
    return read_file(db, tenant, file_id)


def list_requests(db: Session, *, listing_id: int | None, status: str | None) -> list[ListingRequest]:
    q = select(ListingRequest).order_by(ListingRequest.id.desc()).limit(500)
    if listing_id is not None:
        q = q.where(ListingRequest.listing_id == listing_id)
    if status:
        q = q.where(ListingRequest.status == status)
    return list(db.scalars(q))


def canonical_phone(phone: str) -> str:
    """+84… for a number given with a leading 0, so both spellings count as one phone."""
    return "+84" + phone[1:] if phone.startswith("0") else phone


def _recent(db: Session, column: Any, value: str) -> int:
    since = datetime.now(UTC) - timedelta(hours=1)
    return db.scalar(select(func.count()).where(column == value, ListingRequest.created_at >= since)) or 0


def check_rate(db: Session, phone: str, client_ip: str | None) -> None:
    """At most REQUESTS_PER_PHONE_PER_HOUR per phone and REQUESTS_PER_IP_PER_HOUR per client address.
    Each key is locked for the transaction (phone first, then address: one order, no deadlock), so
    concurrent requests cannot all slip under the limit."""
    limits: list[tuple[str, Any, str, int]] = [("phone", ListingRequest.phone, phone, REQUESTS_PER_PHONE_PER_HOUR)]
    if client_ip:
        limits.append(("client_ip", ListingRequest.client_ip, client_ip, REQUESTS_PER_IP_PER_HOUR))
    for key, column, value, limit in limits:
        lock = {"k": f"listing_requests:{key}", "v": value}
        db.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k), hashtext(:v))"), lock)
        if _recent(db, column, value) >= limit:
            raise RateLimited(
                "Bạn đã gửi quá nhiều yêu cầu đặt chỗ/đặt hàng trong một giờ qua, vui lòng thử lại sau.",
                "Too many booking or order requests in the last hour; please retry later.",
                code="listing_requests_rate_limited",
                limit_per_hour=limit,
                per=key,
            )


def submit_request(
    db: Session,
    tenant: TenantInfo,
    listing_id: int,
    data: RequestIn,
    *,
    client_ip: str | None = None,
    return_url: str | None = None,
) -> ListingRequest:
    """A visitor's booking or order, within the public rate limit. With `pay_by_card` on a listing that
    accepts cards, a Stripe Checkout Session is opened (idempotency key from the request id) and its URL
    handed back."""
    listing = get(db, listing_id, public=True)
    phone = canonical_phone(data.phone)
    check_rate(db, phone, client_ip)
    amount = listing.price_vnd * data.quantity if listing.price_vnd is not None else None
    row = ListingRequest(
        listing_id=listing.id,
        kind="order" if listing.kind == "product" else "booking",
        name=data.name,
        phone=phone,
        client_ip=client_ip,
        quantity=data.quantity,
        starts_on=data.starts_on,
        note=data.note,
        amount_vnd=amount,
        status="new",
    )
    db.add(row)
    db.flush()
    if data.pay_by_card:
        if not listing.accepts_card or not listing.price_vnd:
            raise InvalidInput(
                "Dịch vụ này không nhận thanh toán thẻ.",
                "This listing takes no card payment.",
                code="card_not_accepted",
            )
        session_id, url = checkout.create_session(
            commune_code=tenant.commune_code,
            request_id=row.id,
            title=listing.title,
            unit_vnd=listing.price_vnd,
            quantity=data.quantity,
            return_url=return_url or f"{gs1.commune_base_url(tenant)}/api/v1/public/listings/{listing.id}",
        )
        row.checkout_session_id, row.checkout_url, row.status = session_id, url, "awaiting_payment"
        db.flush()
    notify(
        db,
        holders_of(app_engine(), tenant.commune_code, (COMMUNE_ADMIN, COMMUNE_OFFICIAL)),
        Message(
            kind="listing_request_new",
            code="listing_request_new",
            params={"id": row.id, "listing": listing.title, "name": row.name, "kind": row.kind},
            link=f"/listings/{listing.id}",
            source_type="listing_request",
            source_id=str(row.id),
        ),
    )
    audit.record(
        db,
        actor=f"visitor:{phone}",
        actor_kind="public",
        action="create",
        object_type="listing_request",
        object_id=str(row.id),
        after=RequestOut.model_validate(row).model_dump(mode="json"),
    )
    return row


def receive_checkout_webhook(
    db: Session, tenant: TenantInfo, payload: bytes, signature: str | None, secret: str
) -> WebhookAck:
    """`checkout.session.completed`: verified with `stripe.Webhook.construct_event`, stored once in the
    commune's webhook inbox (source `stripe`, the event id), then the request is marked paid and a `card`
    payment recorded. A replay finds the event in the inbox and changes nothing."""
    if not secret:
        raise NotFound("Không tìm thấy.", "Not found.")
    try:
        event = checkout.verify(payload, signature, secret)
    except (ValueError, stripe.SignatureVerificationError) as e:
        raise checkout.StripeSignatureInvalid("Chữ ký Stripe không hợp lệ.", "Invalid Stripe signature.") from e
    body: dict[str, Any] = json.loads(payload)
    if store_event(db, STRIPE_SOURCE, str(event.id), body) is None:
        return WebhookAck(duplicate=True, outcome="duplicate")
    if event.type != "checkout.session.completed":
        return WebhookAck(outcome="ignored")
    obj = body.get("data", {}).get("object", {})
    row = db.scalar(select(ListingRequest).where(ListingRequest.checkout_session_id == str(obj.get("id"))))
    if row is None or obj.get("metadata", {}).get("commune_code") != str(tenant.commune_code):
        return WebhookAck(outcome="unmatched")
    if obj.get("payment_status") != "paid":
        return WebhookAck(outcome="unpaid")
    if row.status != "paid":
        before = RequestOut.model_validate(row).model_dump(mode="json")
        row.status, row.paid_at = "paid", datetime.now(UTC)
        amount = int(obj.get("amount_total") or row.amount_vnd or 0)
        db.add(
            Payment(
                source=STRIPE_SOURCE,
                event_id=str(event.id)[:100],
                amount_vnd=amount,
                memo=f"Stripe Checkout {obj.get('id')}"[:500],
                bank_reference=str(obj.get("payment_intent") or "")[:100],
                match="card",
                needs_review=amount != (row.amount_vnd or 0),
                transaction_at=datetime.now(UTC),
            )
        )
        db.flush()
        audit.record(
            db,
            actor="stripe",
            actor_kind="webhook",
            action="paid",
            object_type="listing_request",
            object_id=str(row.id),
            before=before,
            after=RequestOut.model_validate(row).model_dump(mode="json"),
        )
    return WebhookAck(outcome="paid")
