"""The real HTTP server (uvicorn with the platform's options) around the real app: a 500 or a database
outage keeps the keep-alive connection, an outage answers 503 `database_unavailable` with Retry-After and
writes one log line, no Server header, idle and slow-header connections are closed."""

from __future__ import annotations

import http.client
import io
import json
import logging
import socket
import threading
import time
from collections.abc import Iterator

import pytest
import structlog
import uvicorn
from sqlalchemy import create_engine

from smartcommune.main import create_app
from smartcommune.platform.http import server as server_options
from smartcommune.platform.observability.logging import configure_logging
from smartcommune.tenants.settings import Settings, get_settings


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def log_stream() -> io.StringIO:
    return io.StringIO()


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch, log_stream: io.StringIO) -> Iterator[int]:
    monkeypatch.setenv("SMARTCOMMUNE_SWALLOW_ERRORS", "1")  # as in production: answer, never re-raise
    monkeypatch.setenv("ENVIRONMENT", "test")  # no LISTEN thread
    monkeypatch.setattr(server_options._HeaderTimeout, "header_timeout_s", 0.6)
    get_settings.cache_clear()
    app = create_app()
    root = logging.getLogger()
    level = root.level
    configure_logging(Settings(log_json=True, log_level="INFO"), stream=log_stream)

    @app.get("/test-boom", include_in_schema=False)
    def boom() -> None:
        raise RuntimeError("boom")

    dead = create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none", pool_pre_ping=False)

    @app.get("/test-outage", include_in_schema=False)
    def outage() -> None:
        with dead.connect():
            pass

    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, **server_options.uvicorn_options())
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started
    try:
        yield port
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        root.setLevel(level)
        for handler in [h for h in root.handlers if h.get_name() == "smartcommune"]:
            root.removeHandler(handler)
        structlog.reset_defaults()
        structlog.contextvars.clear_contextvars()
        get_settings.cache_clear()


def test_a_500_keeps_the_keep_alive_connection(served: int) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", served, timeout=5)
    conn.request("GET", "/test-boom")
    first = conn.getresponse()
    assert first.status == 500
    assert json.loads(first.read())["error"]["code"] == "internal_error"
    assert first.getheader("connection") != "close"
    conn.request("GET", "/healthz")  # the same connection
    second = conn.getresponse()
    assert second.status == 200 and json.loads(second.read()) == {"status": "ok"}
    assert second.getheader("server") is None, "no Server header"
    conn.close()


def test_database_outage_is_503_with_retry_after_and_one_log_line(served: int, log_stream: io.StringIO) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", served, timeout=10)
    conn.request("GET", "/test-outage", headers={"X-Request-ID": "outage-1"})
    response = conn.getresponse()
    body = json.loads(response.read())
    assert response.status == 503
    assert response.getheader("retry-after") == "5"
    assert body["error"]["code"] == "database_unavailable"
    assert body["error"]["message"].startswith("Cơ sở dữ liệu")
    conn.request("GET", "/healthz")
    assert conn.getresponse().status == 200, "connection kept"
    conn.close()
    time.sleep(0.1)
    lines = [json.loads(line) for line in log_stream.getvalue().splitlines() if line.strip().startswith("{")]
    mine = [line for line in lines if line.get("request_id") == "outage-1"]
    assert len(mine) == 1, mine
    assert mine[0]["error"] == "database_unavailable" and mine[0]["status"] == 503
    assert "exception" not in mine[0] and "Traceback" not in log_stream.getvalue()


def test_idle_and_slow_header_connections_are_closed(served: int) -> None:
    idle = socket.create_connection(("127.0.0.1", served), timeout=5)
    slow = socket.create_connection(("127.0.0.1", served), timeout=5)
    slow.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")  # headers never finished
    started = time.monotonic()
    assert idle.recv(100) == b"", "an idle connection is closed"
    assert slow.recv(100) == b"", "a slow-header connection is closed"
    assert time.monotonic() - started < 4
    idle.close()
    slow.close()
