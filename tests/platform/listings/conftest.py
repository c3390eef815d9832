"""A local stand-in for the Stripe API (a real HTTP server that records every request and answers the
Checkout call we make), the real `stripe` library pointed at it through STRIPE_API_BASE, and the real app."""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

import pytest
from fastapi.testclient import TestClient

from smartcommune.main import create_app
from smartcommune.platform.http.tenancy import reset_resolver
from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.settings import get_settings

CHECKOUT_SECRET = "whsec_test_checkout_" + "c3" * 12


@dataclass
class Recorded:
    path: str
    headers: dict[str, str]
    form: dict[str, str]


@dataclass
class StripeStandIn:
    url: str
    requests: list[Recorded] = field(default_factory=list)


@pytest.fixture(scope="module")
def stripe_stand_in() -> Iterator[StripeStandIn]:
    box: list[StripeStandIn] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            form = dict(parse_qsl(self.rfile.read(length).decode(), keep_blank_values=True))
            box[0].requests.append(Recorded(self.path, {k.lower(): v for k, v in self.headers.items()}, form))
            if self.path == "/v1/checkout/sessions":
                digest = hashlib.sha256(self.headers.get("idempotency-key", "").encode()).hexdigest()[:16]
                body, status = (
                    {
                        "id": f"cs_test_{digest}",
                        "object": "checkout.session",
                        "url": f"https://checkout.stripe.com/c/pay/cs_test_{digest}",
                        "status": "open",
                    },
                    200,
                )
            else:
                body, status = {"error": {"type": "invalid_request_error", "message": "unknown path"}}, 404
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    box.append(StripeStandIn(url=f"http://127.0.0.1:{server.server_address[1]}"))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    env = {
        "STRIPE_API_BASE": box[0].url,
        "STRIPE_API_KEY": "sk_test_smartcommune",
        "STRIPE_CHECKOUT_WEBHOOK_SECRET": CHECKOUT_SECRET,
        "ENVIRONMENT": "test",
    }
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    get_settings.cache_clear()
    try:
        yield box[0]
    finally:
        server.shutdown()
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        get_settings.cache_clear()


@pytest.fixture(scope="module")
def client(stripe_stand_in: StripeStandIn, communes: tuple[TenantInfo, TenantInfo]) -> Iterator[TestClient]:
    reset_resolver()
    try:
        with TestClient(create_app()) as c:
            yield c
    finally:
        reset_resolver()
