"""Hostile input (issue 16): integers beyond their column, control characters, huge bodies, broken
connections. Each case was a 500 (a PostgreSQL error reaching the user) before the input policy."""

from __future__ import annotations

import json
from typing import Any

import pytest

HUGE = 2**70
JSON = {"content-type": "application/json"}
BIG63 = 2**63


def _error(response: Any) -> dict[str, Any]:
    body = response.json()
    assert set(body) == {"error"}, body
    assert {"code", "message", "message_en"} <= set(body["error"]), body
    return body["error"]


def test_path_id_beyond_bigint_is_404(api: Any) -> None:
    admin = api.actor(api.a, "commune_admin")
    for value in (str(HUGE), str(BIG63), str(-(BIG63) - 1), "9" * 5000):
        response = api.call("GET", f"/api/v1/villages/{value}", tenant=api.a, actor=admin)
        assert response.status_code == 404, (value[:30], response.text)
        assert _error(response)["code"] == "not_found"


def test_query_integer_beyond_bigint_is_422(api: Any) -> None:
    admin = api.actor(api.a, "commune_admin")
    response = api.call("GET", "/api/v1/audit", tenant=api.a, actor=admin, params={"before_id": str(HUGE)})
    assert response.status_code == 422, response.text
    error = _error(response)
    assert error["code"] == "integer_out_of_range" and error["details"]["field"] == "query.before_id"


def test_body_integer_beyond_bigint_is_422_without_login(api: Any) -> None:
    response = api.call("POST", "/auth/realms/communes/otp", json={"commune_code": HUGE, "phone": "0912000001"})
    assert response.status_code == 422, response.text
    response = api.call(
        "POST",
        "/auth/realms/communes/protocol/openid-connect/token",
        data={
            "grant_type": "urn:smartcommune:params:oauth:grant-type:phone-otp",
            "commune_code": str(HUGE),
            "phone": "0912000001",
            "otp": "123456",
        },
    )
    assert response.status_code == 422, response.text
    for odd in ("²", "١٢٣"):  # str.isdigit() says yes, int() says no
        response = api.call(
            "POST",
            "/auth/realms/communes/protocol/openid-connect/token",
            data={
                "grant_type": "urn:smartcommune:params:oauth:grant-type:phone-otp",
                "commune_code": odd,
                "phone": "0912000001",
                "otp": "123456",
            },
        )
        assert response.status_code == 422, response.text


def test_json_number_beyond_bigint_anywhere_is_422(api: Any) -> None:
    admin = api.actor(api.a, "commune_admin")
    for population in (HUGE, 1e30):
        body = {"code": api_code(), "name": "Thôn lớn", "population": population}
        response = api.call("POST", "/api/v1/villages", tenant=api.a, actor=admin, json=body)
        assert response.status_code == 422, response.text
        assert _error(response)["details"]["field"] == "body.population"


def api_code() -> str:
    import uuid

    return "T" + uuid.uuid4().hex[:8]


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x1b", "\x7f\x00", "\ud800"])
def test_control_characters_in_json_are_422_naming_the_field(api: Any, char: str) -> None:
    admin = api.actor(api.a, "commune_admin")
    body = json.dumps({"code": api_code(), "name": f"Thôn{char}Một"})  # ASCII-escaped, so a lone surrogate goes too
    response = api.call(
        "POST",
        "/api/v1/villages",
        tenant=api.a,
        actor=admin,
        content=body,
        headers=JSON,
    )
    assert response.status_code == 422, response.text
    error = _error(response)
    assert error["code"] == "invalid_characters"
    assert error["details"]["field"] == "body.name"
    assert "body.name" in error["message"]


def test_tab_and_newline_are_text(api: Any) -> None:
    admin = api.actor(api.a, "commune_admin")
    body = {"code": api_code(), "name": "Thôn\tMột\nHai"}
    response = api.call("POST", "/api/v1/villages", tenant=api.a, actor=admin, json=body)
    assert response.status_code == 201, response.text


def test_control_characters_in_query_and_path_are_422(api: Any) -> None:
    admin = api.actor(api.a, "commune_admin")
    response = api.call("GET", "/api/v1/residents", tenant=api.a, actor=admin, params={"q": "Nguy\x00ễn"})
    assert response.status_code == 422, response.text
    assert _error(response)["details"]["field"] == "query.q"
    response = api.call("GET", "/api/v1/roles/ad%00min", tenant=api.a, actor=admin)
    assert response.status_code == 422, response.text


def test_control_character_in_the_commune_slug_is_422_without_login(api: Any) -> None:
    for path in ("/t/cam%00lo/api/v1/villages", "/t/cam-lo%01/api/v1/public/reports"):
        response = api.client.get(path)
        assert response.status_code == 422, response.text
        error = _error(response)
        assert error["code"] == "invalid_characters" and error["details"]["field"] == "path.slug"
    response = api.client.get("/api/v1/villages", headers={"Host": "cam\x00lo.localhost"})
    assert response.status_code in (401, 404), response.text


def test_invalid_utf8_body_is_422(api: Any) -> None:
    admin = api.actor(api.a, "commune_admin")
    response = api.call(
        "POST",
        "/api/v1/villages",
        tenant=api.a,
        actor=admin,
        content=b'{"code": "x", "name": "\xff\xfe"}',
        headers=JSON,
    )
    assert response.status_code == 422, response.text


def test_json_body_over_the_limit_is_413_before_it_is_read(api: Any) -> None:
    admin = api.actor(api.a, "commune_admin")
    big = b'{"code": "x", "name": "' + b"a" * (10 * 1024 * 1024) + b'"}'
    response = api.call("POST", "/api/v1/villages", tenant=api.a, actor=admin, content=big, headers=JSON)
    assert response.status_code == 413, response.text[:200]
    assert _error(response)["code"] == "payload_too_large"

    def chunks() -> Any:  # no Content-Length: counted as it arrives
        for _ in range(20):
            yield b"a" * (512 * 1024)

    response = api.call(
        "POST",
        "/api/v1/villages",
        tenant=api.a,
        actor=admin,
        content=chunks(),
        headers=JSON,
    )
    assert response.status_code == 413, response.text[:200]
    assert _error(response)["code"] == "payload_too_large"
