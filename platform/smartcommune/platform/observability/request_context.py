"""Request id and access log: a pure ASGI middleware.

Takes the caller's `X-Request-ID` when it is sane (else generates one), puts it in `current_request_id`
and structlog's context variables for the duration of the request, echoes it in the response headers and
writes one access line per request.
"""

from __future__ import annotations

import json
import re
import time
import uuid

import structlog

from smartcommune.platform.observability.asgi import ASGIApp, Message, Receive, Scope, Send, tenant_of
from smartcommune.tenants.context import current_request_id

HEADER = "x-request-id"
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

        try:
            await self.app(scope, receive, send_wrapper)
        except Exception:
            # Starlette's ServerErrorMiddleware sits outside every user middleware: answer the 500 here so
            # it carries the request id, then re-raise so the server still sees the failure.
            access_log.exception("unhandled_error")
            if not response_started:
                body = _internal_error_body(request_id)
                headers = [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ]
                await send_wrapper({"type": "http.response.start", "status": 500, "headers": headers})
                await send_wrapper({"type": "http.response.body", "body": body})
            raise
        finally:
            if self.access_log_enabled:
                self._log(scope, path, status, time.perf_counter() - started)
            structlog.contextvars.reset_contextvars(**log_tokens)
            current_request_id.reset(token)

    @staticmethod
    def _log(scope: Scope, path: str, status: int, seconds: float) -> None:
        fields: dict[str, object] = {
            "method": scope.get("method"),
            "path": path,
            "status": status,
            "duration_ms": round(seconds * 1000, 2),
        }
        tenant = tenant_of(scope)
        if tenant is not None:
            fields["commune"] = tenant.commune_code
            fields["commune_slug"] = tenant.slug
        client = scope.get("client")
        if client:
            fields["client"] = client[0]
        if status >= 500:
            access_log.error("request", **fields)
        else:
            access_log.info("request", **fields)
