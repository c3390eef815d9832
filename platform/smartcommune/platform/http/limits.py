"""Request body limits per route kind, answered 413 before the body is read.

- uploads (`multipart/form-data`: photos, documents, CSV imports): `UPLOAD_BODY_LIMIT` in all, each file
  then checked against its own rule (`smartcommune.platform.files.service.PHOTO`, `DOCUMENT`, the CSV limit);
- everything else (JSON, form-encoded token requests, webhooks): `JSON_BODY_LIMIT`.

A declared `Content-Length` above the limit is refused at once, without reading a byte of the body; a
chunked body is counted as it arrives and refused the moment it passes the limit.
"""

from __future__ import annotations

import json

from starlette.exceptions import HTTPException

from smartcommune.platform.observability.asgi import ASGIApp, Message, Receive, Scope, Send

JSON_BODY_LIMIT = 1024 * 1024
UPLOAD_BODY_LIMIT = 48 * 1024 * 1024


class BodyTooLarge(HTTPException):
    """Raised from `receive` when a chunked body passes the limit; the routes' handlers answer it 413."""

    def __init__(self, limit: int) -> None:
        super().__init__(status_code=413, detail=f"max_bytes={limit}")


def limit_for(scope: Scope) -> int:
    for name, value in scope.get("headers", ()):
        if name == b"content-type":
            media = bytes(value).split(b";", 1)[0].strip().lower()
            return UPLOAD_BODY_LIMIT if media == b"multipart/form-data" else JSON_BODY_LIMIT
    return JSON_BODY_LIMIT


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(bytes(value).decode("latin-1").strip())
            except ValueError:
                return None
    return None


def _body(limit: int) -> bytes:
    mib = limit / (1024 * 1024)
    size = f"{mib:g} MB" if mib >= 1 else f"{limit // 1024} KB"
    error = {
        "code": "payload_too_large",
        "message": f"Nội dung gửi lên vượt quá giới hạn {size}.",
        "message_en": f"The request body is larger than {size}.",
        "details": {"max_bytes": limit},
    }
    return json.dumps({"error": error}, ensure_ascii=False).encode()


async def send_413(send: Send, limit: int) -> None:
    body = _body(limit)
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),  # the rest of the body is never read
    ]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class BodyLimitMiddleware:
    """Pure ASGI; sits outside the routes so no handler ever reads more than the limit."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = limit_for(scope)
        declared = _declared_length(scope)
        if declared is not None and declared > limit:
            await send_413(send, limit)
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await send_413(send, limit)
        except BaseExceptionGroup as group:
            match, rest = group.split(BodyTooLarge)
            if match is None or rest is not None:
                raise
            if not started:
                await send_413(send, limit)
