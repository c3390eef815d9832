"""The users and roles API: a commune admin creates an official who logs in and holds the role; nothing
reaches another commune's users."""

from __future__ import annotations

from typing import Any

TOKEN = "/auth/realms/communes/protocol/openid-connect/token"


def _login(api: Any, username: str, password: str) -> Any:
    return api.client.post(TOKEN, data={"grant_type": "password", "username": username, "password": password})


def test_admin_creates_an_official_who_logs_in_with_that_role(api: Any, kit: Any) -> None:
    admin = api.actor(api.a, "commune_admin")
    username = kit.unique("can.bo.dia.chinh")
    created = api.call(
        "POST",
        "/api/v1/users",
        tenant=api.a,
        actor=admin,
        json={
            "username": username,
            "password": kit.password,
            "display_name": "Lê Thị Hoa",
            "role": "village_head",
        },
    )
    assert created.status_code == 201, created.text
    user = created.json()
    assert user["username"] == username and user["display_name"] == "Lê Thị Hoa" and user["enabled"]
    assert "password" not in created.text and "argon2" not in created.text

    login = _login(api, username, kit.password)
    assert login.status_code == 200, login.text
    assert login.headers["cache-control"] == "no-store"
    token = login.json()["access_token"]
    me = api.call("GET", "/api/v1/me", tenant=api.a, headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200, me.text
    assert me.json()["subject"] == user["id"]
    assert me.json()["username"] == username
    assert me.json()["commune_code"] == api.a.commune_code
    assert sorted(me.json()["roles"]) == ["resident", "village_head"]
    # The role does what the catalogue says: a village head reads users but may not create villages.
    headers = {"Authorization": f"Bearer {token}"}
    assert api.call("GET", "/api/v1/users", tenant=api.a, headers=headers).status_code == 200
    denied = api.call("POST", "/api/v1/villages", tenant=api.a, headers=headers, json={"code": "X1", "name": "X"})
    assert denied.status_code == 403
    # Listed among A's users, not B's; the assignment is listed in A only.
    admin_b = api.actor(api.b, "commune_admin")
    users_a = api.call("GET", "/api/v1/users", tenant=api.a, actor=admin, params={"limit": 500}).json()
    users_b = api.call("GET", "/api/v1/users", tenant=api.b, actor=admin_b, params={"limit": 500}).json()
    ids_a, ids_b = {u["id"] for u in users_a}, {u["id"] for u in users_b}
    assert user["id"] in ids_a and user["id"] not in ids_b
    assigned_a = api.call("GET", "/api/v1/role-assignments", tenant=api.a, actor=admin).json()
    assert {"user_id": user["id"], "role": "village_head"} in assigned_a
    assigned_b = api.call("GET", "/api/v1/role-assignments", tenant=api.b, actor=admin_b).json()
    assert all(a["user_id"] != user["id"] for a in assigned_b)
    # The token is A's: on B's host it is refused.
    foreign = api.call("GET", "/api/v1/me", tenant=api.b, headers=headers)
    assert (foreign.status_code, kit.error_code(foreign)) == (401, "token_commune_mismatch")
    # A wrong password does not log in.
    wrong = _login(api, username, kit.password + "x")
    assert (wrong.status_code, kit.error_code(wrong)) == (401, "invalid_credentials")


def test_assigning_a_role_to_another_communes_user_is_not_found(api: Any, kit: Any) -> None:
    admin_a = api.actor(api.a, "commune_admin")
    user_b = api.actor(api.b, "resident")
    before_a, before_b = kit.commune_state(api.a), kit.commune_state(api.b)
    for role in ("village_head", "commune_official", "commune_admin"):
        response = api.call(
            "POST",
            "/api/v1/role-assignments",
            tenant=api.a,
            actor=admin_a,
            json={"user_id": str(user_b.account_id), "role": role},
        )
        assert response.status_code == 404, response.text
        assert kit.error_code(response) == "user_not_found"
    assert kit.commune_state(api.a) == before_a
    assert kit.commune_state(api.b) == before_b
    # And B's user gained nothing anywhere.
    me = api.call("GET", "/api/v1/me", tenant=api.b, actor=user_b)
    assert me.json()["roles"] == ["resident"]


def test_roles_and_users_bad_input(api: Any, kit: Any) -> None:
    admin = api.actor(api.a, "commune_admin")
    before = kit.commune_state(api.a)
    cases = [
        (
            "POST",
            "/api/v1/users",
            {"username": kit.unique("x"), "password": kit.password, "role": "khong_co"},
            422,
            "role_not_found",
        ),
        (
            "POST",
            "/api/v1/users",
            {"username": api.actor(api.a, "resident").username, "password": kit.password},
            409,
            "account_exists",
        ),
        ("POST", "/api/v1/users", {"username": "Tên Có Dấu", "password": kit.password}, 422, "invalid_username"),
        ("POST", "/api/v1/users", {"username": kit.unique("x"), "password": "ngan"}, 422, "invalid_input"),
        (
            "POST",
            "/api/v1/roles",
            {"name": "commune_admin", "permissions": [{"obj": "villages", "act": "read"}]},
            409,
            "builtin_role_name",
        ),
        (
            "POST",
            "/api/v1/roles",
            {"name": "Vai Tro", "permissions": [{"obj": "villages", "act": "read"}]},
            422,
            "invalid_role_name",
        ),
        (
            "POST",
            "/api/v1/roles",
            {"name": "ke_toan", "permissions": [{"obj": "communes", "act": "*"}]},
            422,
            "invalid_permission",
        ),
        ("POST", "/api/v1/roles", {"name": "ke_toan", "permissions": []}, 422, "invalid_input"),
        (
            "POST",
            "/api/v1/role-assignments",
            {"user_id": str(api.actor(api.a, "resident").account_id), "role": "provider_admin"},
            403,
            "provider_role",
        ),
        (
            "POST",
            "/api/v1/role-assignments",
            {"user_id": "khong-phai-uuid", "role": "village_head"},
            422,
            "invalid_input",
        ),
        ("DELETE", "/api/v1/roles/commune_admin", None, 404, "role_not_found"),
    ]
    for method, path, body, status, code in cases:
        response = api.call(method, path, tenant=api.a, actor=admin, json=body)
        assert (response.status_code, kit.error_code(response)) == (status, code), (path, body, response.text)
    assert kit.commune_state(api.a) == before


def test_a_custom_role_works_in_its_commune_only_and_dies_with_its_deletion(api: Any, kit: Any) -> None:
    admin_a, admin_b = api.actor(api.a, "commune_admin"), api.actor(api.b, "commune_admin")
    role = kit.unique("thu_ky").replace("-", "_")
    made = api.call(
        "POST",
        "/api/v1/roles",
        tenant=api.a,
        actor=admin_a,
        json={"name": role, "permissions": [{"obj": "villages", "act": "write"}, {"obj": "audit", "act": "read"}]},
    )
    assert made.status_code == 201, made.text
    holder = kit.make_commune_user(api.a, "resident")
    assert (
        api.call(
            "POST",
            "/api/v1/role-assignments",
            tenant=api.a,
            actor=admin_a,
            json={"user_id": str(holder.account_id), "role": role},
        ).status_code
        == 201
    )
    body = {"code": kit.unique("T"), "name": "Thôn Thư Ký"}
    assert api.call("POST", "/api/v1/villages", tenant=api.a, actor=holder, json=body).status_code == 201
    assert api.call("GET", "/api/v1/audit", tenant=api.a, actor=holder).status_code == 200
    assert api.call("GET", "/api/v1/users", tenant=api.a, actor=holder).status_code == 403  # not granted
    # Commune B has no such role: it is neither listed nor assignable there.
    listed_b = {r["name"] for r in api.call("GET", "/api/v1/roles", tenant=api.b, actor=admin_b).json()}
    assert role not in listed_b
    member_b = kit.fresh_member(api.b)
    assign_b = api.call(
        "POST", "/api/v1/role-assignments", tenant=api.b, actor=admin_b, json={"user_id": str(member_b), "role": role}
    )
    assert (assign_b.status_code, kit.error_code(assign_b)) == (404, "role_not_found")
    # B's admin cannot delete A's role either.
    gone_b = api.call("DELETE", f"/api/v1/roles/{role}", tenant=api.b, actor=admin_b)
    assert (gone_b.status_code, kit.error_code(gone_b)) == (404, "role_not_found")
    # Deleting it in A takes the permission away at once.
    assert api.call("DELETE", f"/api/v1/roles/{role}", tenant=api.a, actor=admin_a).status_code == 204
    body = {"code": kit.unique("T"), "name": "Thôn Thư Ký 2"}
    denied = api.call("POST", "/api/v1/villages", tenant=api.a, actor=holder, json=body)
    assert (denied.status_code, kit.error_code(denied)) == (403, "forbidden")
    me = api.call("GET", "/api/v1/me", tenant=api.a, actor=holder).json()
    assert me["roles"] == ["resident"]
