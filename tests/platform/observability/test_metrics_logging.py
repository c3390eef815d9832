"""Metrics with a bounded commune label, JSON logs carrying commune and request id, X-Request-ID echo,
and the health routes (the readiness test runs against the real test database and broker)."""

from __future__ import annotations

import io
import json
import logging
import uuid
from collections.abc import Iterator

import pytest
import structlog
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from prometheus_client import CollectorRegistry

from smartcommune.platform.observability import health
from smartcommune.platform.observability.logging import configure_logging
from smartcommune.platform.observability.metrics import (
    OTHER,
    HttpMetrics,
    MetricsMiddleware,
    metrics_response,
)
from smartcommune.platform.observability.request_context import RequestContextMiddleware
from smartcommune.tenants.context import TenantInfo, current_request_id, current_tenant
from smartcommune.tenants.settings import Settings

COUNTER = "smartcommune_http_requests_by_commune"
HISTOGRAM = "smartcommune_http_request_duration_seconds"


def _tenant(code: int = 19597, slug: str = "cam-lo") -> TenantInfo:
    return TenantInfo(
        id=uuid.uuid4(), slug=slug, commune_code=code, province_code=45, name="Xã Cam Lộ",
        status="active", schema_name=f"c_{code}", role_name=f"test_c_{code}",
    )  # fmt: skip


def _label_values(registry: CollectorRegistry, family: str, label: str) -> set[str]:
    return {
        sample.labels[label]
        for metric in registry.collect()
        if metric.name == family
        for sample in metric.samples
        if label in sample.labels
    }


def _counter_value(registry: CollectorRegistry, commune: str) -> float:
    return sum(
        sample.value
        for metric in registry.collect()
        if metric.name == COUNTER
        for sample in metric.samples
        if sample.name == COUNTER + "_total" and sample.labels["commune"] == commune
    )


@pytest.fixture
def log_stream() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    root = logging.getLogger()
    level = root.level
    configure_logging(Settings(log_json=True, log_level="INFO"), stream=stream)
    try:
        yield stream
    finally:
        root.setLevel(level)
        for handler in [h for h in root.handlers if h.get_name() == "smartcommune"]:
            root.removeHandler(handler)
        structlog.reset_defaults()
        structlog.contextvars.clear_contextvars()


def _lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def test_commune_label_is_capped() -> None:
    registry = CollectorRegistry()
    metrics = HttpMetrics(registry, max_commune_labels=500)
    for code in range(600):
        metrics.observe(method="GET", route="/villages", status=200, seconds=0.01, commune=str(code))
    communes = _label_values(registry, COUNTER, "commune")
    assert len(communes) <= 501
    assert OTHER in communes
    assert _counter_value(registry, OTHER) == 100
    assert _label_values(registry, HISTOGRAM, "commune") == set(), "no commune label on the histogram"


def test_json_log_line_carries_commune_and_request_id(log_stream: io.StringIO) -> None:
    tenant_token = current_tenant.set(_tenant())
    request_token = current_request_id.set("req-42")
    try:
        structlog.stdlib.get_logger("smartcommune.test").info("village_created", village="T1")
        logging.getLogger("some.library").warning("from stdlib %s", "logging")
    finally:
        current_tenant.reset(tenant_token)
        current_request_id.reset(request_token)
    structlog.stdlib.get_logger("smartcommune.test").info("outside")
    ours, stdlib, outside = _lines(log_stream)[-3:]
    for line in (ours, stdlib):
        assert line["commune"] == 19597
        assert line["commune_slug"] == "cam-lo"
        assert line["request_id"] == "req-42"
    assert ours["event"] == "village_created" and ours["village"] == "T1" and ours["level"] == "info"
    assert stdlib["event"] == "from stdlib logging" and stdlib["logger"] == "some.library"
    assert "commune" not in outside and "request_id" not in outside


def _app(registry: CollectorRegistry) -> FastAPI:
    app = FastAPI()
    tenants = {"cam-lo": _tenant(), "hau-loc": _tenant(16012, "hau-loc")}

    @app.get("/t/{slug}/villages/{village_id}")
    async def village(slug: str, village_id: int, request: Request) -> dict[str, object]:
        request.state.tenant = tenants[slug]
        structlog.stdlib.get_logger("smartcommune.test").info("in_handler")
        return {"request_id": current_request_id.get(), "village_id": village_id}

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("boom")

    @app.get("/metrics")
    def metrics() -> object:
        return metrics_response(registry)

    app.add_middleware(MetricsMiddleware, metrics=HttpMetrics(registry, max_commune_labels=1))
    app.add_middleware(RequestContextMiddleware)
    return app


def test_request_id_is_echoed_and_logged(log_stream: io.StringIO) -> None:
    registry = CollectorRegistry()
    client = TestClient(_app(registry))

    given = client.get("/t/cam-lo/villages/7", headers={"X-Request-ID": "abc-123"})
    assert given.status_code == 200
    assert given.headers["x-request-id"] == "abc-123"
    assert given.json()["request_id"] == "abc-123"

    generated = client.get("/t/hau-loc/villages/8")
    assert len(generated.headers["x-request-id"]) == 32
    assert generated.json()["request_id"] == generated.headers["x-request-id"]

    unsafe = client.get("/t/cam-lo/villages/9", headers={"X-Request-ID": "x" * 500})
    assert unsafe.headers["x-request-id"] != "x" * 500

    access = [line for line in _lines(log_stream) if line.get("logger") == "smartcommune.access"]
    assert access[0]["request_id"] == "abc-123"
    assert access[0]["commune"] == 19597 and access[0]["status"] == 200
    assert access[1]["commune"] == 16012
    in_handler = [line for line in _lines(log_stream) if line["event"] == "in_handler"]
    assert in_handler[0]["request_id"] == "abc-123"
    assert current_request_id.get() is None, "the context variable is reset after the request"

    exposition = client.get("/metrics").text
    assert 'route="/t/{slug}/villages/{village_id}"' in exposition, "route template, never the raw path"
    assert 'commune="19597"' in exposition and f'commune="{OTHER}"' in exposition


def test_unhandled_error_answers_500_with_the_request_id(log_stream: io.StringIO) -> None:
    client = TestClient(_app(CollectorRegistry()), raise_server_exceptions=False)
    response = client.get("/boom", headers={"X-Request-ID": "boom-1"})
    assert response.status_code == 500
    assert response.headers["x-request-id"] == "boom-1"
    assert response.json()["error"] == {
        "code": "internal_error",
        "message": "Lỗi hệ thống, vui lòng thử lại sau.",
        "message_en": "Internal error, please retry later.",
        "request_id": "boom-1",
    }
    errors = [line for line in _lines(log_stream) if line["event"] == "unhandled_error"]
    assert errors and errors[0]["request_id"] == "boom-1" and "RuntimeError: boom" in str(errors[0]["exception"])
    access = [line for line in _lines(log_stream) if line["event"] == "request"]
    assert access[-1]["status"] == 500 and access[-1]["path"] == "/boom"


def test_healthz_does_no_io() -> None:
    app = FastAPI()
    app.include_router(health.router)
    assert TestClient(app).get("/healthz").json() == {"status": "ok"}


def test_readyz_names_what_failed(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> None:
        raise ConnectionRefusedError("[Errno 111] Connection refused")

    monkeypatch.setattr(health, "CHECKS", {"database": lambda: None, "broker": broken})
    app = FastAPI()
    app.include_router(health.router)
    response = TestClient(app).get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == ["broker"]
    assert body["checks"]["database"] == "ok"
    assert "Connection refused" in body["checks"]["broker"]


def test_readyz_against_the_real_database_and_broker(database_url: str) -> None:
    app = FastAPI()
    app.include_router(health.router)
    response = TestClient(app).get("/readyz")
    assert response.status_code == 200, response.text
    assert response.json()["checks"] == {"database": "ok", "broker": "ok"}
