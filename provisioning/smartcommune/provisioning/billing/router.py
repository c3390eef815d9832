from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool

from smartcommune.platform.http.auth import authorize_provider
from smartcommune.provisioning.billing import service
from smartcommune.provisioning.billing.schemas import (
    BillingAccountOut,
    DunningOut,
    PlanIn,
    PlanOut,
    StripeAck,
    SubscribeIn,
    UsageIn,
    UsageOut,
)
from smartcommune.tenants.errors import NotFound
from smartcommune.tenants.principal import Principal

router = APIRouter(prefix="/api/provider/v1/billing", tags=["provider: billing"])
webhook_router = APIRouter(tags=["provider: billing"])


@router.get("/plans", response_model=list[PlanOut])
def list_plans(_: Principal = Depends(authorize_provider("billing", "read"))) -> list[PlanOut]:
    return [PlanOut.model_validate(p) for p in service.list_plans()]


@router.put("/plans", response_model=PlanOut)
def upsert_plan(data: PlanIn, _: Principal = Depends(authorize_provider("billing", "write"))) -> PlanOut:
    return PlanOut.model_validate(service.upsert_plan(data))


@router.get("/communes/{key}", response_model=BillingAccountOut)
def show_account(key: str, _: Principal = Depends(authorize_provider("billing", "read"))) -> BillingAccountOut:
    return BillingAccountOut.model_validate(service.account(key))


@router.post("/communes/{key}/subscription", response_model=BillingAccountOut)
def subscribe(
    key: str, data: SubscribeIn, _: Principal = Depends(authorize_provider("billing", "write"))
) -> BillingAccountOut:
    return BillingAccountOut.model_validate(service.subscribe(key, data.plan_code))


@router.post("/usage", response_model=UsageOut)
def report_usage(data: UsageIn, _: Principal = Depends(authorize_provider("billing", "write"))) -> UsageOut:
    """Report one day's usage of every subscribed commune (the daily beat job calls the same service)."""
    return UsageOut(day=data.day, lines=service.report_usage(data.day, data.commune_codes))


@router.post("/dunning", response_model=DunningOut)
def run_dunning(_: Principal = Depends(authorize_provider("billing", "write"))) -> DunningOut:
    return service.run_dunning()


@webhook_router.post("/webhooks/stripe", response_model=StripeAck)
async def stripe_webhook(request: Request) -> StripeAck:
    """Stripe subscription-billing events for the provider (verified with `stripe.Webhook.construct_event`).
    Only on the platform's own host: on a commune's host it does not exist."""
    if request.scope.get("state", {}).get("tenant") is not None:
        raise NotFound("Không tìm thấy.", "Not found.")
    payload = await request.body()
    return await run_in_threadpool(service.receive_webhook, payload, request.headers.get("stripe-signature"))
