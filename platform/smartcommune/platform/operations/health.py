"""A tiny health and metrics HTTP server for the long-running processes (ingester, camera worker).

`GET /healthz`  200 while the process loop is alive (liveness: the pod restarts when this fails);
`GET /readyz`   200 when every dependency check passes (broker connected, database reachable), else 503
                with the failing checks;
`GET /metrics`  Prometheus text format from the process's own collectors.

Port from `HEALTH_PORT` (default 9000), bound to `HEALTH_HOST` (default all interfaces, for kubelet probes
and the ServiceMonitor). It runs on a daemon thread and never touches the work loop.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Iterable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import structlog
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.registry import Collector

log = structlog.stdlib.get_logger(__name__)
DEFAULT_PORT = 9000
Check = Callable[[], bool]


def health_port() -> int:
    return int(os.environ.get("HEALTH_PORT", str(DEFAULT_PORT)))


class CallbackCollector(Collector):
    """Counters and gauges read from callables at scrape time, plus any prometheus metric objects."""

    def __init__(
        self,
        prefix: str,
        counters: Callable[[], Mapping[str, float]],
        gauges: Callable[[], Mapping[str, float]] | None = None,
        extra: Iterable[Collector] = (),
        help_text: Mapping[str, str] | None = None,
    ) -> None:
        self.prefix = prefix
        self.counters = counters
        self.gauges = gauges or (lambda: {})
        self.extra = list(extra)
        self.help_text = dict(help_text or {})

    def collect(self) -> Iterable[Metric]:
        for name, value in sorted(self.counters().items()):
            metric = CounterMetricFamily(f"{self.prefix}_{name}", self.help_text.get(name, name.replace("_", " ")))
            metric.add_metric([], float(value))
            yield metric
        for name, value in sorted(self.gauges().items()):
            gauge = GaugeMetricFamily(f"{self.prefix}_{name}", self.help_text.get(name, name.replace("_", " ")))
            gauge.add_metric([], float(value))
            yield gauge
        for collector in self.extra:
            yield from collector.collect()


class HealthServer:
    def __init__(
        self,
        *,
        live: Check,
        ready: Mapping[str, Check],
        collectors: Iterable[Collector] = (),
        port: int | None = None,
        host: str | None = None,
    ) -> None:
        self.live = live
        self.ready = dict(ready)
        self.registry = CollectorRegistry(auto_describe=False)
        for collector in collectors:
            self.registry.register(collector)
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                if path == "/healthz":
                    ok = server._safe("live", server.live)
                    self._send(200 if ok else 503, {"status": "ok" if ok else "stalled"})
                elif path == "/readyz":
                    checks = {name: server._safe(name, check) for name, check in server.ready.items()}
                    ok = all(checks.values())
                    self._send(200 if ok else 503, {"status": "ready" if ok else "not_ready", "checks": checks})
                elif path == "/metrics":
                    body = generate_latest(server.registry)
                    self.send_response(200)
                    self.send_header("Content-Type", CONTENT_TYPE_LATEST)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                else:
                    self._send(404, {"status": "not_found"})

            def _send(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, fmt: str, *args: Any) -> None:  # probes every few seconds: stay quiet
                return

        bind_host = host if host is not None else os.environ.get("HEALTH_HOST", "0.0.0.0")  # noqa: S104
        self.httpd = ThreadingHTTPServer((bind_host, health_port() if port is None else port), Handler)
        self.httpd.daemon_threads = True
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="health-http", daemon=True)

    @property
    def port(self) -> int:
        return int(self.httpd.server_address[1])

    @staticmethod
    def _safe(name: str, check: Check) -> bool:
        try:
            return bool(check())
        except Exception as e:  # one line per failed probe, no traceback: probes run every few seconds
            log.warning("health_check_failed", check=name, error=f"{type(e).__name__}: {str(e)[:200]}")
            return False

    def start(self) -> HealthServer:
        self._thread.start()
        log.info("health_server_started", port=self.port)
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join(timeout=5)


def database_ready() -> bool:
    """The app login reaches PostgreSQL (one round trip)."""
    from sqlalchemy import text

    from smartcommune.tenants.database import app_engine

    with app_engine().connect() as conn:
        conn.execute(text("SELECT 1"))
    return True
