"""The outgoing Stripe calls, through the official `stripe` library. Every call carries an idempotency key
derived only from what it is about, so a retry (or a rerun of a whole job) can never charge twice:

- customer:      sc-customer-{commune_code}
- subscription:  sc-subscription-{commune_code}-{plan}
- meter event:   sc-usage-{commune_code}-{period}-{meter} (also the meter event's `identifier`)
"""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any

import stripe

from smartcommune.tenants.settings import get_settings


def client() -> stripe.StripeClient:
    settings = get_settings()
    base = settings.stripe_api_base
    return stripe.StripeClient(
        settings.stripe_api_key or "sk_test_unset",
        base_addresses={"api": base} if base else None,
        max_network_retries=2,
    )


def customer_key(commune_code: int) -> str:
    return f"sc-customer-{commune_code}"


def subscription_key(commune_code: int, plan: str) -> str:
    return f"sc-subscription-{commune_code}-{plan}"


def usage_key(commune_code: int, period: str, meter: str) -> str:
    return f"sc-usage-{commune_code}-{period}-{meter}"


def create_customer(*, commune_code: int, name: str, province: str, tenant_id: str) -> str:
    customer = client().v1.customers.create(
        {
            "name": name,
            "description": f"{name}, {province}",
            "preferred_locales": ["vi", "en"],
            "metadata": {"commune_code": str(commune_code), "tenant_id": tenant_id},
        },
        {"idempotency_key": customer_key(commune_code)},
    )
    return str(customer.id)


def create_subscription(
    *, commune_code: int, customer_id: str, plan: str, base_price: str, metered_prices: list[str]
) -> tuple[str, str]:
    items: Any = [{"price": base_price}] + [{"price": p} for p in metered_prices]
    sub = client().v1.subscriptions.create(
        {
            "customer": customer_id,
            "items": items,
            "collection_method": "send_invoice",
            "days_until_due": 30,
            "metadata": {"commune_code": str(commune_code), "plan": plan},
        },
        {"idempotency_key": subscription_key(commune_code, plan)},
    )
    return str(sub.id), str(sub.status)


def report_meter_event(
    *, commune_code: int, customer_id: str, period: str, meter: str, event_name: str, value: int
) -> str:
    """One meter event per commune, day and meter; its timestamp is noon UTC of the day it measures."""
    key = usage_key(commune_code, period, meter)
    day = datetime.fromisoformat(period).date()
    client().v1.billing.meter_events.create(
        {
            "event_name": event_name,
            "identifier": key,
            "timestamp": int(datetime.combine(day, time(12), tzinfo=UTC).timestamp()),
            "payload": {"stripe_customer_id": customer_id, "value": str(value)},
        },
        {"idempotency_key": key},
    )
    return key


def verify_webhook(payload: bytes, signature: str | None, secret: str) -> stripe.Event:
    """`stripe.Webhook.construct_event`: the v1 HMAC over `t.payload`, within Stripe's 5-minute tolerance."""
    return stripe.Webhook.construct_event(payload, signature, secret)
