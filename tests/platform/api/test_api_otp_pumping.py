"""SMS pumping (issue 16): one client made 12 codes for 12 phones, each an SMS the commune pays for. Now
codes are limited per client address and per commune per hour, and the provider sees an abuse alarm."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from smartcommune.tenants.database import owner_engine
from smartcommune.tenants.settings import get_settings

OTP = "/auth/realms/communes/otp"


@pytest.fixture
def low_limits(monkeypatch: pytest.MonkeyPatch) -> Any:
    settings = get_settings()
    monkeypatch.setattr(settings, "otp_requests_per_address_per_hour", 3)
    with owner_engine().begin() as conn:  # codes other tests asked for from the same TestClient address
        conn.execute(text("UPDATE control.otp_challenges SET client_addr = NULL WHERE client_addr = 'testclient'"))
    yield settings


def test_one_address_cannot_pump_codes_for_many_phones(api: Any, low_limits: Any) -> None:
    phones = [f"09{n:08d}" for n in range(71_000_001, 71_000_006)]
    statuses = [
        api.call("POST", OTP, json={"commune_code": api.a.commune_code, "phone": phone}).status_code for phone in phones
    ]
    assert statuses[:3] == [202, 202, 202]
    assert statuses[3:] == [429, 429], statuses
    refused = api.call("POST", OTP, json={"commune_code": api.a.commune_code, "phone": "0971000099"})
    assert refused.json()["error"]["code"] == "otp_rate_limited" and "retry-after" in refused.headers

    provider = api.actor(None, "provider_operator")
    alarms = api.call("GET", "/api/provider/v1/fleet/abuse-alarms", actor=provider).json()
    mine = [a for a in alarms if a["kind"] == "otp_per_address" and a["client_addr"] == "testclient"]
    assert mine and mine[0]["commune_code"] == api.a.commune_code and mine[0]["count"] >= 3


def test_a_commune_has_an_hourly_ceiling(api: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    with owner_engine().connect() as conn:
        sent = conn.execute(
            text(
                "SELECT count(*) FROM control.otp_challenges "
                "WHERE commune_code = :c AND created_at > now() - interval '1 hour'"
            ),
            {"c": api.b.commune_code},
        ).scalar_one()
    monkeypatch.setattr(get_settings(), "otp_requests_per_commune_per_hour", sent + 1)
    first = api.call("POST", OTP, json={"commune_code": api.b.commune_code, "phone": "0972000001"})
    assert first.status_code == 202, first.text
    second = api.call("POST", OTP, json={"commune_code": api.b.commune_code, "phone": "0972000002"})
    assert second.status_code == 429, second.text
    provider = api.actor(None, "provider_admin")
    alarms = api.call("GET", "/api/provider/v1/fleet/abuse-alarms", actor=provider).json()
    assert any(a["kind"] == "otp_per_commune" and a["commune_code"] == api.b.commune_code for a in alarms)
