"""Residents log in with phone number + one-time code (real PostgreSQL, recording SMS channel)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

import structlog
from fastapi.testclient import TestClient
from sqlalchemy import select, text, update

from smartcommune.platform.identity.issuer import OTP_GRANT_TYPE
from smartcommune.platform.identity.otp import request_otp
from smartcommune.platform.identity.phones import normalize_phone
from smartcommune.platform.identity.sms import LoggingSmsChannel
from smartcommune.platform.identity.tokens import validate_bearer
from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.control.models import IdentityAccount, OtpChallenge
from smartcommune.tenants.database import app_engine, owner_engine
from smartcommune.tenants.principal import COMMUNE_REALM
from smartcommune.tenants.settings import get_settings

TOKEN = "/auth/realms/communes/protocol/openid-connect/token"
OTP = "/auth/realms/communes/otp"


class RecordingSmsChannel(Protocol):
    """The `sms` fixture (conftest): messages kept instead of sent."""

    sent: list[tuple[str, str]]

    def last_code(self, phone: str) -> str: ...


def _login(client: TestClient, commune: TenantInfo, phone: str, code: str) -> dict[str, Any]:
    form = {"grant_type": OTP_GRANT_TYPE, "commune_code": str(commune.commune_code), "phone": phone}
    form["otp"] = code
    response = client.post(TOKEN, data=form)
    return {"status": response.status_code, **response.json()}


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def test_phone_numbers_normalise_to_e164() -> None:
    for raw in ("0912345678", "0912 345 678", "+84 912.345.678", "84912345678", "0084912345678"):
        assert normalize_phone(raw) == "+84912345678"


def test_first_login_registers_the_resident_in_that_commune(
    client: TestClient,
    sms: RecordingSmsChannel,
    communes: tuple[TenantInfo, TenantInfo],
    new_phone: Callable[[], str],
) -> None:
    for commune in communes:
        phone = new_phone()
        local = "0" + phone[3:]
        response = client.post(OTP, json={"commune_code": commune.commune_code, "phone": local})
        assert response.status_code == 202, response.text
        assert response.json() == {"phone": phone, "expires_in": get_settings().otp_ttl_s}
        code = sms.last_code(phone)
        with owner_engine().connect() as conn:
            query = select(OtpChallenge.code_hash).where(OtpChallenge.phone == phone)
            stored = conn.execute(query).scalar_one()
        assert code not in stored and stored.startswith("$argon2id$")

        result = _login(client, commune, local, code)
        assert result["status"] == 200, result
        principal = validate_bearer(result["access_token"])
        assert principal.realm == COMMUNE_REALM
        assert principal.organizations == (commune.domain,)
        assert principal.username == phone

        # The second login reaches the same account.
        client.post(OTP, json={"commune_code": commune.commune_code, "phone": phone})
        again = _login(client, commune, phone, sms.last_code(phone))
        assert validate_bearer(again["access_token"]).subject == principal.subject

    with app_engine().connect() as conn:
        rows = (
            conn.execute(
                select(IdentityAccount.commune_code).where(IdentityAccount.phone.in_([p for p, _ in sms.sent]))
            )
            .scalars()
            .all()
        )
    assert sorted(r or 0 for r in rows) == sorted(c.commune_code for c in communes)


def test_a_code_works_once(
    client: TestClient,
    sms: RecordingSmsChannel,
    communes: tuple[TenantInfo, TenantInfo],
    new_phone: Callable[[], str],
) -> None:
    commune, phone = communes[0], new_phone()
    client.post(OTP, json={"commune_code": commune.commune_code, "phone": phone})
    code = sms.last_code(phone)
    assert _login(client, commune, phone, code)["status"] == 200
    reused = _login(client, commune, phone, code)
    assert reused["status"] == 401 and reused["error"]["code"] == "otp_invalid"


def test_a_code_is_bound_to_its_commune(
    client: TestClient,
    sms: RecordingSmsChannel,
    communes: tuple[TenantInfo, TenantInfo],
    new_phone: Callable[[], str],
) -> None:
    cam_lo, hau_loc = communes
    phone = new_phone()
    client.post(OTP, json={"commune_code": cam_lo.commune_code, "phone": phone})
    elsewhere = _login(client, hau_loc, phone, sms.last_code(phone))
    assert elsewhere["status"] == 401


def test_wrong_codes_count_and_lock_the_challenge(
    client: TestClient,
    sms: RecordingSmsChannel,
    communes: tuple[TenantInfo, TenantInfo],
    new_phone: Callable[[], str],
) -> None:
    commune, phone = communes[1], new_phone()
    client.post(OTP, json={"commune_code": commune.commune_code, "phone": phone})
    code = sms.last_code(phone)
    max_attempts = get_settings().otp_max_attempts
    for attempt in range(1, max_attempts):
        result = _login(client, commune, phone, _wrong(code))
        assert result["status"] == 401
        assert result["error"]["code"] == "otp_invalid"
        assert result["error"]["details"]["attempts_left"] == max_attempts - attempt
    last = _login(client, commune, phone, "abc")  # malformed counts as a wrong try
    assert last["status"] == 429 and last["error"]["code"] == "otp_too_many_attempts"
    # Even the right code no longer works: the attacker's budget is spent.
    locked = _login(client, commune, phone, code)
    assert locked["status"] == 429 and locked["error"]["code"] == "otp_too_many_attempts"
    with app_engine().connect() as conn:
        attempts = conn.execute(select(OtpChallenge.attempts).where(OtpChallenge.phone == phone)).scalar_one()
    assert attempts == max_attempts


def test_an_expired_code_is_refused(
    client: TestClient,
    sms: RecordingSmsChannel,
    communes: tuple[TenantInfo, TenantInfo],
    new_phone: Callable[[], str],
) -> None:
    commune, phone = communes[0], new_phone()
    client.post(OTP, json={"commune_code": commune.commune_code, "phone": phone})
    with owner_engine().begin() as conn:
        conn.execute(
            update(OtpChallenge)
            .where(OtpChallenge.phone == phone)
            .values(expires_at=text("now() - interval '1 second'"))
        )
    result = _login(client, commune, phone, sms.last_code(phone))
    assert result["status"] == 401 and result["error"]["code"] == "otp_expired"


def test_a_new_code_replaces_the_previous_one(
    client: TestClient,
    sms: RecordingSmsChannel,
    communes: tuple[TenantInfo, TenantInfo],
    new_phone: Callable[[], str],
) -> None:
    commune, phone = communes[0], new_phone()
    client.post(OTP, json={"commune_code": commune.commune_code, "phone": phone})
    first = sms.last_code(phone)
    client.post(OTP, json={"commune_code": commune.commune_code, "phone": phone})
    second = sms.last_code(phone)
    if first != second:
        assert _login(client, commune, phone, first)["status"] == 401
    assert _login(client, commune, phone, second)["status"] == 200


def test_requests_per_phone_per_hour_are_limited(
    client: TestClient,
    sms: RecordingSmsChannel,
    communes: tuple[TenantInfo, TenantInfo],
    new_phone: Callable[[], str],
) -> None:
    phone = new_phone()
    limit = get_settings().otp_requests_per_hour
    for i in range(limit):
        # Spread over both communes: the limit protects the phone, whatever commune asks.
        commune = communes[i % 2]
        sent = client.post(OTP, json={"commune_code": commune.commune_code, "phone": phone})
        assert sent.status_code == 202
    refused = client.post(OTP, json={"commune_code": communes[0].commune_code, "phone": phone})
    assert refused.status_code == 429
    error = refused.json()["error"]
    assert error["code"] == "otp_rate_limited" and 0 < error["details"]["retry_after_s"] <= 3600
    assert len([p for p, _ in sms.sent if p == phone]) == limit

    with owner_engine().begin() as conn:  # an hour later the window has moved on
        conn.execute(
            update(OtpChallenge)
            .where(OtpChallenge.phone == phone)
            .values(created_at=text("now() - interval '61 minutes'"))
        )
    later = client.post(OTP, json={"commune_code": communes[0].commune_code, "phone": phone})
    assert later.status_code == 202


def test_bad_phone_and_unknown_commune_are_clear_4xx(
    client: TestClient, communes: tuple[TenantInfo, TenantInfo]
) -> None:
    for bad in ("12345", "0212345678", "+1 202 555 0100", "09123456789", ""):
        response = client.post(OTP, json={"commune_code": communes[0].commune_code, "phone": bad or " "})
        assert response.status_code == 422, bad
        assert response.json()["error"]["code"] == "invalid_phone"
        assert response.json()["error"]["message"].startswith("Số điện thoại")
    unknown = client.post(OTP, json={"commune_code": 99999, "phone": "0912345678"})
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "commune_not_found"
    form = {"grant_type": OTP_GRANT_TYPE, "commune_code": "x", "phone": "0912345678", "otp": "123456"}
    bad_login = client.post(TOKEN, data=form)
    assert bad_login.json()["error"]["code"] == "invalid_commune_code"


def test_the_logging_channel_logs_the_code_in_development(
    communes: tuple[TenantInfo, TenantInfo], new_phone: Callable[[], str]
) -> None:
    phone = new_phone()
    with structlog.testing.capture_logs() as logs:
        request_otp(communes[0].commune_code, phone, channel=LoggingSmsChannel())
    (entry,) = [e for e in logs if e["event"] == "sms.logged_not_sent"]
    assert entry["phone"] == phone
    assert any(w.isdigit() and len(w) == 6 for w in entry["message"].replace(".", " ").split())
