"""Password guessing (issue 16): 30 wrong passwords in 5 s were all 401 and the right one worked at once.
Now: progressive delay then lockout per account name (known or unknown alike) and per client address,
audited in the commune, visible to the owner (`/me`) and the commune admin (`/users`)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from smartcommune.platform.identity import throttle
from smartcommune.tenants.database import owner_engine

TOKEN = "/auth/realms/communes/protocol/openid-connect/token"


@pytest.fixture(autouse=True)
def _forget_addresses() -> Any:
    yield
    with owner_engine().begin() as conn:  # the TestClient's address is shared by the whole suite
        conn.execute(text("DELETE FROM control.login_throttle WHERE key LIKE 'address:%'"))


def _login(api: Any, username: str, password: str) -> Any:
    return api.call("POST", TOKEN, data={"grant_type": "password", "username": username, "password": password})


def test_guessing_is_delayed_then_the_right_password_waits_too(api: Any, kit: Any) -> None:
    owner = kit.make_commune_user(api.a, "commune_official", password=kit.password)
    first = kit.max_audit_id(api.a)
    answers = [_login(api, owner.username, f"sai-{i}") for i in range(3)]
    assert [r.status_code for r in answers] == [401, 401, 401]
    right = _login(api, owner.username, kit.password)
    assert right.status_code == 429, right.text
    assert right.json()["error"]["code"] == "login_throttled"
    assert int(right.headers["retry-after"]) >= 1
    rows = [r for r in kit.audit_rows(api.a, first) if r["action"] == "login_failed"]
    assert len(rows) == 3 and rows[-1]["object_id"] == str(owner.account_id)

    me = api.call("GET", "/api/v1/me", tenant=api.a, actor=owner)
    assert me.json()["failed_logins"] == 3 and me.json()["locked_until"] is not None
    admin = api.actor(api.a, "commune_admin")
    users = api.call("GET", "/api/v1/users", tenant=api.a, actor=admin, params={"limit": 500}).json()
    mine = next(u for u in users if u["id"] == str(owner.account_id))
    assert mine["failed_logins"] == 3 and mine["locked_until"] is not None


def test_unknown_usernames_answer_exactly_like_known_ones(api: Any, kit: Any) -> None:
    known = kit.make_commune_user(api.a, "commune_official", password=kit.password)
    unknown = kit.unique("khong.ai")
    for name in (known.username, unknown):
        answers = [_login(api, name, "sai") for _ in range(4)]
        assert [r.status_code for r in answers] == [401, 401, 401, 429], name
        assert answers[0].json()["error"]["code"] == "invalid_credentials"
        assert answers[3].json()["error"]["code"] == "login_throttled"


def test_ten_failures_lock_the_account_for_a_while_and_it_is_audited(api: Any, kit: Any) -> None:
    owner = kit.make_commune_user(api.a, "commune_official", password=kit.password)
    key = throttle.account_key("communes", owner.username)
    with owner_engine().begin() as conn:  # nine earlier failures, their delay over
        conn.execute(
            text("INSERT INTO control.login_throttle (key, failures, locked_until) VALUES (:k, 9, NULL)"), {"k": key}
        )
    first = kit.max_audit_id(api.a)
    assert _login(api, owner.username, "sai").status_code == 401
    locked = _login(api, owner.username, kit.password)
    assert locked.status_code == 429 and int(locked.headers["retry-after"]) > 600
    assert any(r["action"] == "login_locked" for r in kit.audit_rows(api.a, first))


def test_a_success_clears_the_account(api: Any, kit: Any) -> None:
    owner = kit.make_commune_user(api.a, "commune_official", password=kit.password)
    assert _login(api, owner.username, "sai").status_code == 401
    assert _login(api, owner.username, kit.password).status_code == 200
    me = api.call("GET", "/api/v1/me", tenant=api.a, actor=owner)
    assert me.json()["failed_logins"] == 0


def test_one_address_guessing_many_accounts_is_throttled(api: Any, kit: Any) -> None:
    statuses = [_login(api, kit.unique("doan"), "sai").status_code for _ in range(throttle.ADDRESS.free_failures)]
    assert statuses == [401] * throttle.ADDRESS.free_failures  # the last one starts the address's delay
    assert _login(api, kit.unique("doan"), "sai").status_code == 429
