"""Every route, every parameter, the hostile values of issue 16: integers beyond BIGINT, NUL and other
control characters, null, over-long strings. Each answer must be a 4xx in the platform's JSON error shape
(Open311 answers its own list of {code, description}) — never a 5xx, never a database error."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest

HUGE = 2**70
TEXTS = ["a\x00b", "x\x1by", "\ud800", "é" * 20_000]
QUERY_TEXTS = [*TEXTS[:3], "é" * 1_500]  # a URL has its own limit (httpx refuses 64 KB)
INTS = [HUGE, -(2**64), 1e300]
SKIP = {("GET", "/api/v1/operations/stream")}  # server-sent events: the answer never ends
JSON = {"content-type": "application/json"}


def _operations(app: Any) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in app.openapi()["paths"].items():
        for method, operation in item.items():
            if (method.upper(), path) not in SKIP:
                yield method.upper(), path, operation


def _json_body_schema(spec: dict[str, Any], operation: dict[str, Any]) -> dict[str, Any] | None:
    content = operation.get("requestBody", {}).get("content", {})
    schema = content.get("application/json", {}).get("schema")
    if schema and "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _fill(path: str, values: dict[str, str] | None = None) -> str:
    return re.sub(r"\{([^}]+)\}", lambda m: (values or {}).get(m.group(1), "1"), path)


def _types(schema: dict[str, Any]) -> set[str]:
    options = schema.get("anyOf") or [schema]
    return {str(option.get("type")) for option in options}


def _must_refuse(schema: dict[str, Any], value: Any) -> bool:
    """Whether the value is invalid for this parameter by its schema (else any answer but a 5xx will do)."""
    types = _types(schema)
    if isinstance(value, str) and any(c in value for c in "\x00\x1b"):
        return True  # control characters: refused everywhere
    if value is None:
        return "null" not in types
    if isinstance(value, int | float) and not isinstance(value, bool):
        return True  # beyond BIGINT
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return "integer" in types and "string" not in types
    if isinstance(value, str) and len(value) > 1000:
        return any(int(option.get("maxLength", 10**9)) < len(value) for option in schema.get("anyOf") or [schema])
    return False


def _hostile_requests(
    spec: dict[str, Any], method: str, path: str, operation: dict[str, Any]
) -> Iterator[dict[str, Any]]:
    for param in operation.get("parameters", []):
        name, schema = param["name"], param.get("schema", {})
        if param["in"] == "path":
            for value in ["9" * 30, "-" + "9" * 25, *TEXTS[:3]]:
                encoded = quote(value.encode("utf-8", "surrogatepass"), safe="")
                url = _fill(path, {name: encoded})
                yield {"url": url, "what": f"path {name}={value[:12]!r}", "refuse": _must_refuse(schema, value)}
        elif param["in"] == "query":
            for value in [str(HUGE), "-" + "9" * 25, *QUERY_TEXTS]:
                raw = quote(value.encode("utf-8", "surrogatepass"), safe="")
                url = f"{_fill(path)}?{quote(name)}={raw}"
                yield {"url": url, "what": f"query {name}={value[:12]!r}", "refuse": _must_refuse(schema, value)}
    body = _json_body_schema(spec, operation)
    if body and body.get("type") == "object":
        for name, schema in body.get("properties", {}).items():
            for value in [None, *INTS, *TEXTS]:
                document = json.dumps({name: value}, ensure_ascii=True)  # a lone surrogate travels as \ud800
                refuse = _must_refuse(schema, value) or value == "\ud800"
                what = f"body {name}={str(value)[:12]!r}"
                yield {"url": _fill(path), "content": document, "what": what, "refuse": refuse}


def _error_shape(response: Any) -> bool:
    try:
        body = response.json()
    except ValueError:
        return False
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        return {"code", "message", "message_en"} <= set(body["error"])
    return isinstance(body, list) and all(isinstance(e, dict) and {"code", "description"} <= set(e) for e in body)


def test_every_route_answers_hostile_values_with_a_4xx(api: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMARTCOMMUNE_SWALLOW_ERRORS", "1")
    spec = api.app.openapi()
    commune = api.actor(api.a, "commune_admin")
    provider = api.actor(None, "provider_admin")
    bad: list[str] = []
    sent = 0
    for method, path, operation in _operations(api.app):
        actor = provider if path.startswith("/api/provider/") else commune
        tenant = None if path.startswith(("/api/provider/", "/auth/")) else api.a
        for request in _hostile_requests(spec, method, path, operation):
            headers = dict(JSON) if "content" in request else {}
            response = api.call(
                method, request["url"], tenant=tenant, actor=actor, headers=headers, content=request.get("content")
            )
            sent += 1
            refused = 400 <= response.status_code < 500
            if (
                response.status_code >= 500
                or (request["refuse"] and not refused)
                or (refused and method != "HEAD" and not _error_shape(response))
            ):
                bad.append(f"{method} {path} [{request['what']}] → {response.status_code} {response.text[:120]}")
    print(f"hostile sweep: {sent} requests")
    assert sent > 1000
    assert not bad, f"{len(bad)} of {sent} hostile requests not answered 4xx:\n" + "\n".join(bad[:80])
