"""Prometheus metrics for HTTP requests.

Two families, both with bounded label sets:
- `smartcommune_http_request_duration_seconds` (histogram) by method, route template and status class.
  No commune label: a histogram has ~15 series per label set, times 3,321 communes would be too many.
- `smartcommune_http_requests_by_commune_total` (counter) by commune and status class. The commune label
  takes at most `settings.metrics_max_commune_labels` distinct values per process; every further commune
  is counted under "_other". Requests with no commune are counted under "_none".
"""

from __future__ import annotations

import threading
import time
from functools import lru_cache

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from starlette.responses import Response

from smartcommune.platform.observability.asgi import (
    ASGIApp,
    Message,
    Receive,
    Scope,
    Send,
    route_template,
    status_class,
    tenant_of,
)
from smartcommune.platform.observability.request_context import RequestContextMiddleware
from smartcommune.tenants.settings import get_settings

__all__ = [
    "BoundedLabel",
    "HttpMetrics",
    "MetricsMiddleware",
    "RequestContextMiddleware",
    "default_metrics",
    "metrics_response",
]

OTHER = "_other"
NO_COMMUNE = "_none"
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class BoundedLabel:
    """Admits the first `limit` distinct values of a label; later values map to "_other"."""

    def __init__(self, limit: int) -> None:
        self.limit = max(limit, 0)
        self._seen: set[str] = set()
        self._lock = threading.Lock()

    def __call__(self, value: str) -> str:
        if value in self._seen:
            return value
        with self._lock:
            if value in self._seen:
                return value
            if len(self._seen) < self.limit:
                self._seen.add(value)
                return value
        return OTHER


class HttpMetrics:
    """The metric families, registered on one registry (the process default unless given)."""

    def __init__(self, registry: CollectorRegistry = REGISTRY, max_commune_labels: int = 500) -> None:
        self.registry = registry
        self.duration = Histogram(
            "smartcommune_http_request_duration_seconds",
            "HTTP request latency by method, route template and status class.",
            ("method", "route", "status"),
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.by_commune = Counter(
            "smartcommune_http_requests_by_commune",
            "HTTP requests per commune (label bounded; the rest under _other).",
            ("commune", "status"),
            registry=registry,
        )
        self.commune_label = BoundedLabel(max_commune_labels)

    def observe(self, *, method: str, route: str, status: int, seconds: float, commune: str | None) -> None:
        klass = status_class(status)
        self.duration.labels(method, route, klass).observe(seconds)
        label = self.commune_label(commune) if commune is not None else NO_COMMUNE
        self.by_commune.labels(label, klass).inc()


@lru_cache
def default_metrics() -> HttpMetrics:
    return HttpMetrics(REGISTRY, get_settings().metrics_max_commune_labels)


class MetricsMiddleware:
    """Pure ASGI middleware recording every HTTP request in `HttpMetrics`."""

    def __init__(self, app: ASGIApp, metrics: HttpMetrics | None = None) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        metrics = self.metrics or default_metrics()
        started = time.perf_counter()
        status = 500

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            tenant = tenant_of(scope)
            metrics.observe(
                method=str(scope.get("method", "GET")),
                route=route_template(scope),
                status=status,
                seconds=time.perf_counter() - started,
                commune=str(tenant.commune_code) if tenant is not None else None,
            )


def metrics_response(registry: CollectorRegistry = REGISTRY) -> Response:
    """The Prometheus exposition, for a `GET /metrics` route."""
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
