"""A local stand-in for the Stripe API (a real HTTP server that records every request and answers the calls
we make), with the real `stripe` library pointed at it through `STRIPE_API_BASE`."""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
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

WEBHOOK_SECRET = "whsec_test_" + "a1" * 16


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    params: list[tuple[str, str]]

    @property
    def form(self) -> dict[str, str]:
        return dict(self.params)


@dataclass
class FakeStripe:
    url: str
    requests: list[Recorded] = field(default_factory=list)

    def take(self) -> list[Recorded]:
        taken, self.requests[:] = list(self.requests), []
        return taken


def _answer(path: str, form: dict[str, str]) -> dict[str, Any]:
    digest = hashlib.sha256(json.dumps(sorted(form.items())).encode()).hexdigest()[:14]
    now = int(time.time())
    if path == "/v1/customers":
        return {"id": f"cus_{digest}", "object": "customer", "name": form.get("name"), "livemode": False}
    if path == "/v1/subscriptions":
        return {"id": f"sub_{digest}", "object": "subscription", "status": "active", "customer": form.get("customer")}
    if path == "/v1/billing/meter_events":
        return {
            "object": "billing.meter_event",
            "event_name": form.get("event_name"),
            "identifier": form.get("identifier"),
            "payload": {
                "stripe_customer_id": form.get("payload[stripe_customer_id]"),
                "value": form.get("payload[value]"),
            },
            "timestamp": int(form.get("timestamp", now)),
            "created": now,
            "livemode": False,
        }
    if path == "/v1/checkout/sessions":
        return {
            "id": f"cs_test_{digest}",
            "object": "checkout.session",
            "url": f"https://checkout.stripe.com/c/pay/cs_test_{digest}",
            "status": "open",
        }
    raise KeyError(path)


@pytest.fixture(scope="session")
def fake_stripe() -> Iterator[FakeStripe]:
    box: list[FakeStripe] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            params = parse_qsl(self.rfile.read(length).decode(), keep_blank_values=True)
            box[0].requests.append(Recorded("POST", self.path, {k.lower(): v for k, v in self.headers.items()}, params))
            try:
                body, status = _answer(self.path, dict(params)), 200
            except KeyError:
                body, status = {"error": {"type": "invalid_request_error", "message": "unknown path"}}, 404
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Request-Id", "req_test")
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    box.append(FakeStripe(url=f"http://127.0.0.1:{server.server_address[1]}"))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    keys = ("STRIPE_API_BASE", "STRIPE_API_KEY", "STRIPE_WEBHOOK_SECRET")
    saved = {k: os.environ.get(k) for k in keys}
    os.environ.update(
        {
            "STRIPE_API_BASE": box[0].url,
            "STRIPE_API_KEY": "sk_test_smartcommune",
            "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        }
    )
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
def client(fake_stripe: FakeStripe, communes: tuple[TenantInfo, TenantInfo]) -> Iterator[TestClient]:
    previous = os.environ.get("ENVIRONMENT")
    os.environ["ENVIRONMENT"] = "test"
    get_settings.cache_clear()
    reset_resolver()
    try:
        with TestClient(create_app()) as c:
            yield c
    finally:
        if previous is None:
            os.environ.pop("ENVIRONMENT", None)
        else:
            os.environ["ENVIRONMENT"] = previous
        get_settings.cache_clear()
        reset_resolver()
