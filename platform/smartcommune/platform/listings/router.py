from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, File, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from smartcommune.platform.files.http import file_response, read_uploads
from smartcommune.platform.files.service import PHOTO
from smartcommune.platform.http.auth import CommuneCall, authorize, request_tenant, tenant_db
from smartcommune.platform.listings import service
from smartcommune.platform.listings.schemas import (
    Kind,
    ListingIn,
    ListingOut,
    ListingPatch,
    RequestAck,
    RequestIn,
    RequestOut,
    WebhookAck,
)
from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.session import TenantSession, tenant_session, unit_of_work
from smartcommune.tenants.settings import get_settings

router = APIRouter(tags=["listings"])


@router.get("/api/v1/listings", response_model=list[ListingOut])
def list_listings(
    kind: Kind | None = None,
    category: str | None = None,
    call: CommuneCall = Depends(authorize("listings", "read")),
) -> list[ListingOut]:
    rows = service.search(call.db, kind=kind, category=category, public=False)
    return [ListingOut.model_validate(r) for r in rows]


@router.post("/api/v1/listings", response_model=ListingOut, status_code=201)
def create_listing(data: ListingIn, call: CommuneCall = Depends(authorize("listings", "write"))) -> ListingOut:
    return ListingOut.model_validate(service.create(call.db, data, actor=call.actor, actor_kind=call.actor_kind))


@router.get("/api/v1/listings/requests", response_model=list[RequestOut])
def list_requests(
    listing_id: int | None = None,
    status: str | None = None,
    call: CommuneCall = Depends(authorize("listings", "write")),
) -> list[RequestOut]:
    """Bookings and orders (visitors' phone numbers: officials who manage listings only)."""
    rows = service.list_requests(call.db, listing_id=listing_id, status=status)
    return [RequestOut.model_validate(r) for r in rows]


@router.get("/api/v1/listings/{listing_id}", response_model=ListingOut)
def get_listing(listing_id: int, call: CommuneCall = Depends(authorize("listings", "read"))) -> ListingOut:
    return ListingOut.model_validate(service.get(call.db, listing_id))


@router.patch("/api/v1/listings/{listing_id}", response_model=ListingOut)
def update_listing(
    listing_id: int, patch: ListingPatch, call: CommuneCall = Depends(authorize("listings", "write"))
) -> ListingOut:
    row = service.update(call.db, listing_id, patch, actor=call.actor, actor_kind=call.actor_kind)
    return ListingOut.model_validate(row)


@router.post("/api/v1/listings/{listing_id}/photos", response_model=ListingOut)
def add_photos(
    listing_id: int,
    photos: Annotated[list[UploadFile], File()],
    call: CommuneCall = Depends(authorize("listings", "write")),
) -> ListingOut:
    blobs = read_uploads(photos, PHOTO.max_bytes)
    row = service.add_photos(call.db, call.tenant, listing_id, blobs, actor=call.actor, actor_kind=call.actor_kind)
    return ListingOut.model_validate(row)


# -- public: the commune's catalogue for visitors, their requests, the Checkout webhook ----------------------
@router.get("/api/v1/public/listings", response_model=list[ListingOut])
def public_listings(
    kind: Kind | None = None, category: str | None = None, db: TenantSession = Depends(tenant_db, scope="function")
) -> list[ListingOut]:
    return [ListingOut.model_validate(r) for r in service.search(db, kind=kind, category=category, public=True)]


@router.get("/api/v1/public/listings/{listing_id}", response_model=ListingOut)
def public_listing(listing_id: int, db: TenantSession = Depends(tenant_db, scope="function")) -> ListingOut:
    return ListingOut.model_validate(service.get(db, listing_id, public=True))


@router.get("/api/v1/public/listings/{listing_id}/photos/{file_id}")
def public_photo(
    listing_id: int,
    file_id: uuid.UUID,
    tenant: TenantInfo = Depends(request_tenant),
    db: TenantSession = Depends(tenant_db, scope="function"),
) -> Response:
    row, data = service.photo(db, tenant, listing_id, file_id)
    return file_response(row, data)


@router.post("/api/v1/public/listings/{listing_id}/requests", response_model=RequestAck, status_code=201)
def public_request(
    listing_id: int,
    data: RequestIn,
    request: Request,
    tenant: TenantInfo = Depends(request_tenant),
    db: TenantSession = Depends(tenant_db, scope="function"),
) -> RequestAck:
    """A visitor books a tour/homestay or a service, or orders a product; `pay_by_card` opens Stripe Checkout.
    Rate limited per phone and per client address (429 `listing_requests_rate_limited`); the address is the
    peer's, or the forwarded one when the server trusts its proxy (uvicorn `--forwarded-allow-ips`)."""
    client_ip = request.client.host[:45] if request.client else None
    row = service.submit_request(db, tenant, listing_id, data, client_ip=client_ip)
    return RequestAck(id=row.id, status=row.status, amount_vnd=row.amount_vnd, checkout_url=row.checkout_url)


def _checkout_webhook(tenant: TenantInfo, payload: bytes, signature: str | None) -> WebhookAck:
    with unit_of_work(tenant_session(tenant)) as db:
        secret = get_settings().stripe_checkout_webhook_secret
        return service.receive_checkout_webhook(db, tenant, payload, signature, secret)


@router.post("/webhooks/stripe-checkout", response_model=WebhookAck)
async def stripe_checkout_webhook(request: Request, tenant: TenantInfo = Depends(request_tenant)) -> WebhookAck:
    """Stripe Checkout events of visitors' card payments, on the commune's host."""
    payload = await request.body()
    return await run_in_threadpool(_checkout_webhook, tenant, payload, request.headers.get("stripe-signature"))
