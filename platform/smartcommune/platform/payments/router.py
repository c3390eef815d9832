from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Depends, Query, Request

from smartcommune.platform.http.auth import CommuneCall, authorize, request_tenant, tenant_db
from smartcommune.platform.payments import adapters, service
from smartcommune.platform.payments.schemas import PaymentOut, ResolveIn, WebhookAck
from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.errors import InvalidInput
from smartcommune.tenants.session import TenantSession
from smartcommune.tenants.settings import get_settings

router = APIRouter(tags=["payments"])


@router.get("/api/v1/payments", response_model=list[PaymentOut])
def list_payments(
    invoice_id: int | None = None,
    limit: int = Query(default=100, ge=1, le=1000),
    offset: int = Query(default=0, ge=0),
    call: CommuneCall = Depends(authorize("payments", "read")),
) -> list[PaymentOut]:
    rows = service.list_payments(call.db, invoice_id=invoice_id, limit=limit, offset=offset)
    return [PaymentOut.model_validate(p) for p in rows]


@router.get("/api/v1/payments/reconciliation", response_model=list[PaymentOut])
def reconciliation_queue(
    limit: int = Query(default=200, ge=1, le=1000), call: CommuneCall = Depends(authorize("payments", "read"))
) -> list[PaymentOut]:
    """Partial, over- and unmatched payments an official still has to look at."""
    return [PaymentOut.model_validate(p) for p in service.review_queue(call.db, limit=limit)]


@router.post("/api/v1/payments/{payment_id}/resolve", response_model=PaymentOut)
def resolve_payment(
    payment_id: int, data: ResolveIn, call: CommuneCall = Depends(authorize("payments", "write"))
) -> PaymentOut:
    row = service.resolve(call.db, call.tenant, payment_id, data, actor=call.actor, actor_kind=call.actor_kind)
    return PaymentOut.model_validate(row)


async def webhook_json(request: Request) -> dict[str, Any]:
    """Read the body in an async dependency so the handler itself can stay sync (its DB work runs in a thread)."""
    try:
        body = json.loads(await request.body())
    except ValueError as e:
        raise InvalidInput("Nội dung không phải JSON.", "The body is not JSON.", code="invalid_json") from e
    if not isinstance(body, dict):
        raise InvalidInput("Nội dung phải là đối tượng JSON.", "The body must be a JSON object.", code="invalid_json")
    return body


async def sepay_auth(request: Request) -> None:
    """The API key is checked before the body is even read."""
    adapters.sepay_verify(request.headers.get("authorization"), get_settings().sepay_api_key)


@router.post("/webhooks/sepay", response_model=WebhookAck)
def sepay_webhook(
    _: None = Depends(sepay_auth),
    body: dict[str, Any] = Depends(webhook_json),
    tenant: TenantInfo = Depends(request_tenant),
    db: TenantSession = Depends(tenant_db, scope="function"),
) -> WebhookAck:
    """SePay bank-transfer notification on the commune's host (`Authorization: Apikey …`)."""
    return service.receive_transfer(db, tenant, adapters.sepay_parse(body), body)


@router.post("/webhooks/payos", response_model=WebhookAck)
def payos_webhook(
    body: dict[str, Any] = Depends(webhook_json),
    tenant: TenantInfo = Depends(request_tenant),
    db: TenantSession = Depends(tenant_db, scope="function"),
) -> WebhookAck:
    """payOS payment webhook on the commune's host (HMAC-SHA256 `signature` over the sorted `data`)."""
    adapters.payos_verify(body, get_settings().payos_checksum_key)
    return service.receive_transfer(db, tenant, adapters.payos_parse(body), body)
