"""Stripe Checkout for visitors, through the payments gateway's client (real `stripe` library; its base
address is STRIPE_API_BASE). The idempotency key names only the request: `sc-checkout-{commune}-{request}`,
so a retried call can never open a second session for the same booking or order."""

from __future__ import annotations

import stripe

from smartcommune.platform.payments import stripe_gateway
from smartcommune.tenants.errors import AppError


class PaymentGatewayError(AppError):
    status = 502


def checkout_key(commune_code: int, request_id: int) -> str:
    return f"sc-checkout-{commune_code}-{request_id}"


def create_session(
    *, commune_code: int, request_id: int, title: str, unit_vnd: int, quantity: int, return_url: str
) -> tuple[str, str]:
    """A Checkout Session in VND (a zero-decimal currency: amounts are whole đồng). Returns (id, url)."""
    try:
        session = stripe_gateway.client().v1.checkout.sessions.create(
            {
                "mode": "payment",
                "locale": "vi",
                "client_reference_id": f"{commune_code}:{request_id}",
                "line_items": [
                    {
                        "quantity": quantity,
                        "price_data": {"currency": "vnd", "unit_amount": unit_vnd, "product_data": {"name": title}},
                    }
                ],
                "metadata": {"commune_code": str(commune_code), "listing_request_id": str(request_id)},
                "success_url": f"{return_url}?paid=1",
                "cancel_url": f"{return_url}?cancelled=1",
            },
            {"idempotency_key": checkout_key(commune_code, request_id)},
        )
    except stripe.StripeError as e:
        raise PaymentGatewayError(
            "Không tạo được phiên thanh toán thẻ, vui lòng thử lại sau.",
            "The card payment session could not be created; try again later.",
            code="payment_gateway_error",
        ) from e
    return str(session.id), str(session.url)


def verify(payload: bytes, signature: str | None, secret: str) -> stripe.Event:
    return stripe_gateway.verify_webhook(payload, signature, secret)


class StripeSignatureInvalid(AppError):
    status = 400
    code = "stripe_signature_invalid"
