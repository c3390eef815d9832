"""A write is committed before its response leaves: a client that reads right after a 2xx sees its write.

FastAPI ends `yield` dependencies of the default ("request") scope only after the response is sent; the
unit of work must run in the "function" scope, or a fast follow-up read misses the write and a commit that
fails after a 2xx goes unreported.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from sqlalchemy import text

from smartcommune.tenants.database import owner_engine


def _visible(schema: str, code: str) -> bool:
    with owner_engine().connect() as conn:
        found = conn.execute(text(f'SELECT count(*) FROM "{schema}".villages WHERE code = :c'), {"c": code})
        return bool(found.scalar_one())


def test_the_write_is_visible_to_another_connection_when_the_response_starts(api: Any, kit: Any) -> None:
    admin = api.actor(api.a, "commune_admin")
    code = kit.unique("C")
    body = json.dumps({"code": code, "name": "Thôn Cam Thành", "kind": "thon"}).encode()
    headers = [(k.lower().encode(), v.encode()) for k, v in {**admin.auth, **api.host(api.a)}.items()]
    headers += [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/api/v1/villages",
        "raw_path": b"/api/v1/villages",
        "query_string": b"",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
        "root_path": "",
    }
    seen: dict[str, Any] = {}

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            seen["status"] = message["status"]
            seen["visible"] = await asyncio.to_thread(_visible, api.a.schema_name, code)

    asyncio.run(api.app(scope, receive, send))
    assert seen == {"status": 201, "visible": True}
    assert not _visible(api.b.schema_name, code)
