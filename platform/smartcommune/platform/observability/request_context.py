"""Request id and access log: a pure ASGI middleware.

Takes the caller's `X-Request-ID` when it is sane (else generates one), puts it in `current_request_id`
and structlog's context variables for the duration of the request, echoes it in the response headers and
writes one access line per request.
"""

from __future__ import annotations

import json
import os
import re
import time
import uuid
from collections.abc import Iterator

import psycopg
import structlog
from sqlalchemy import exc as sa_exc

from smartcommune.platform.observability.asgi import ASGIApp, Message, Receive, Scope, Send, tenant_of
from smartcommune.tenants.context import current_request_id

HEADER = "x-request-id"
RETRY_AFTER_S = 5
# PostgreSQL's SQLSTATEs meaning "the server is not there / going away": connection exceptions (class 08),
# admin/crash shutdown, cannot connect now, too many connections.
_OUTAGE_SQLSTATES = ("08", "57P01", "57P02", "57P03", "53300")


def reraise_server_errors() -> bool:
    """Under tests (ENVIRONMENT=test) a 500 is also raised to the TestClient, so no escaped error goes unseen."""
    return os.environ.get("ENVIRONMENT") == "test" and os.environ.get("SMARTCOMMUNE_SWALLOW_ERRORS") != "1"


def _leaves(exc: BaseException) -> Iterator[BaseException]:
    if isinstance(exc, BaseExceptionGroup):
        for inner in exc.exceptions:
            yield from _leaves(inner)
    else:
        yield exc


def database_unavailable(exc: BaseException) -> str | None:
    """A short cause when `exc` means the database cannot be reached (not a bug of ours), else None."""
    for leaf in _leaves(exc):
        chain: BaseException | None = leaf
        for _depth in range(8):
            if chain is None:
                break
            if isinstance(chain, sa_exc.TimeoutError):
                return f"pool timeout: {str(chain).splitlines()[0][:200]}"
            if isinstance(chain, psycopg.OperationalError | sa_exc.OperationalError | sa_exc.InterfaceError):
                original = getattr(chain, "orig", chain)
                sqlstate = getattr(original, "sqlstate", None)
                if sqlstate is None or sqlstate.startswith(_OUTAGE_SQLSTATES):
                    first = str(original).strip().splitlines()
                    return f"{type(original).__name__}: {first[0][:200] if first else ''}"
            if isinstance(chain, sa_exc.DBAPIError) and chain.connection_invalidated:
                return f"connection invalidated: {type(chain.orig).__name__}"
            chain = chain.__cause__ or chain.__context__
    return None


_SANE = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
access_log = structlog.stdlib.get_logger("smartcommune.access")


def _internal_error_body(request_id: str) -> bytes:
    """The platform's error shape ({"error": {code, message, message_en}}) plus the request id to quote."""
    error = {
        "code": "internal_error",
        "message": "Lỗi hệ thống, vui lòng thử lại sau.",
        "message_en": "Internal error, please retry later.",
        "request_id": request_id,
    }
    return json.dumps({"error": error}, ensure_ascii=False).encode()


def _error_body(code: str, vi: str, en: str, request_id: str) -> bytes:
    error = {"code": code, "message": vi, "message_en": en, "request_id": request_id}
    return json.dumps({"error": error}, ensure_ascii=False).encode()


def incoming_request_id(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name.lower() == HEADER.encode():
            candidate = bytes(value).decode("latin-1").strip()
            return candidate if _SANE.match(candidate) else None
    return None


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp, *, access_log_enabled: bool = True) -> None:
        self.app = app
        self.access_log_enabled = access_log_enabled

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = incoming_request_id(scope) or uuid.uuid4().hex
        path = str(scope.get("path", ""))  # before any inner middleware rewrites it (`/t/{slug}` prefix)
        token = current_request_id.set(request_id)
        log_tokens = structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_wrapper(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = int(message["status"])
                headers = [(k, v) for k, v in message.get("headers", ()) if k.lower() != HEADER.encode()]
                headers.append((HEADER.encode(), request_id.encode()))
                message["headers"] = headers
            await send(message)

        cause: str | None = None
        try:
            await self.app(scope, receive, send_wrapper)
        except Exception as exc:
            # Starlette's ServerErrorMiddleware sits outside every user middleware: answer here so the answer
            # carries the request id, and do not re-raise: the server would log the traceback again and drop
            # the keep-alive connection, failing the client's next request too.
            outage = database_unavailable(exc)
            headers = [(b"content-type", b"application/json")]
            if outage is not None:
                # An outage is not an application bug: one line (the access line below, with the cause).
                cause = outage
                code = 503
                body = _error_body(
                    "database_unavailable",
                    "Cơ sở dữ liệu tạm thời không truy cập được, vui lòng thử lại sau giây lát.",
                    "The database is temporarily unavailable, please retry shortly.",
                    request_id,
                )
                headers.append((b"retry-after", str(RETRY_AFTER_S).encode()))
            else:
                access_log.exception("unhandled_error")
                code = 500
                body = _internal_error_body(request_id)
            if not response_started:
                headers.append((b"content-length", str(len(body)).encode()))
                await send_wrapper({"type": "http.response.start", "status": code, "headers": headers})
                await send_wrapper({"type": "http.response.body", "body": body})
            if outage is None and reraise_server_errors():
                raise  # tests: the TestClient raises it, so a bug that escapes fails the test that met it
        finally:
            if self.access_log_enabled:
                self._log(scope, path, status, time.perf_counter() - started, cause)
            structlog.contextvars.reset_contextvars(**log_tokens)
            current_request_id.reset(token)

    @staticmethod
    def _log(scope: Scope, path: str, status: int, seconds: float, cause: str | None = None) -> None:
        fields: dict[str, object] = {
            "method": scope.get("method"),
            "path": path,
            "status": status,
            "duration_ms": round(seconds * 1000, 2),
        }
        if cause is not None:
            fields["error"] = "database_unavailable"
            fields["cause"] = cause
        tenant = tenant_of(scope)
        if tenant is not None:
            fields["commune"] = tenant.commune_code
            fields["commune_slug"] = tenant.slug
        client = scope.get("client")
        if client:
            fields["client"] = client[0]
        if cause is not None:
            access_log.warning("request", **fields)
        elif status >= 500:
            access_log.error("request", **fields)
        else:
            access_log.info("request", **fields)
