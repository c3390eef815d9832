"""Every write by a commune or provider user leaves an audit row in that commune's own log, none elsewhere."""

from __future__ import annotations

from typing import Any


def _new_rows(kit: Any, tenant: Any, since: int) -> list[dict[str, Any]]:
    return kit.audit_rows(tenant, since)


def test_commune_writes_are_audited_in_their_commune_only(api: Any, kit: Any) -> None:
    a, b = api.a, api.b
    admin = api.actor(a, "commune_admin")
    since_a, since_b = kit.max_audit_id(a), kit.max_audit_id(b)

    code = kit.unique("T")
    village = api.call("POST", "/api/v1/villages", tenant=a, actor=admin, json={"code": code, "name": "Thôn Mới"})
    assert village.status_code == 201, village.text
    village_id = village.json()["id"]
    patched = api.call("PATCH", f"/api/v1/villages/{village_id}", tenant=a, actor=admin, json={"population": 812})
    assert patched.status_code == 200

    role_name = kit.unique("thu_quy").replace("-", "_")
    role = api.call(
        "POST",
        "/api/v1/roles",
        tenant=a,
        actor=admin,
        json={"name": role_name, "permissions": [{"obj": "villages", "act": "read"}, {"obj": "fees", "act": "*"}]},
    )
    assert role.status_code == 201, role.text

    member = kit.fresh_member(a)
    assigned = api.call(
        "POST", "/api/v1/role-assignments", tenant=a, actor=admin, json={"user_id": str(member), "role": role_name}
    )
    assert assigned.status_code == 201, assigned.text

    rows = _new_rows(kit, a, since_a)
    got = [(r["actor"], r["actor_kind"], r["action"], r["object_type"]) for r in rows]
    assert got == [
        (admin.username, "commune", "create", "village"),
        (admin.username, "commune", "update", "village"),
        (admin.username, "commune", "create", "role"),
        (admin.username, "commune", "assign", "role_assignment"),
    ]
    create_village, update_village, create_role, assign = rows
    assert create_village["request_id"] == village.headers["x-request-id"]
    assert create_village["object_id"] == str(village_id)
    assert create_village["before"] is None and create_village["after"]["code"] == code
    assert update_village["before"]["population"] is None and update_village["after"]["population"] == 812
    assert create_role["object_id"] == role_name
    assert {(p["obj"], p["act"]) for p in create_role["after"]["permissions"]} == {("villages", "read"), ("fees", "*")}
    assert assign["after"] == {"user_id": str(member), "role": role_name}
    assert _new_rows(kit, b, since_b) == []

    # The commune admin reads the same entries through the API; commune B's admin sees none of them.
    listed = api.call("GET", "/api/v1/audit", tenant=a, actor=admin, params={"limit": 10}).json()
    assert [e["id"] for e in listed[:4]] == [r["id"] for r in reversed(rows)]
    other = api.call("GET", "/api/v1/audit", tenant=b, actor=api.actor(b, "commune_admin")).json()
    assert not {e["object_id"] for e in other} & {str(village_id), role_name}


def test_provider_suspend_and_resume_are_audited_in_that_commune(api: Any, kit: Any) -> None:
    staff = api.actor(None, "provider_admin")
    code = kit.unused_commune_codes(1)[0]
    slug = kit.unique("xa").lower()[:40]
    created = api.call("POST", "/api/provider/v1/communes", actor=staff, json={"commune_code": code, "slug": slug})
    assert created.status_code == 201, created.text
    schema = created.json()["schema_name"]
    since_a, since_b = kit.max_audit_id(api.a), kit.max_audit_id(api.b)

    reason = "bảo trì hệ thống"
    assert (
        api.call("POST", f"/api/provider/v1/communes/{slug}/suspend", actor=staff, json={"reason": reason}).status_code
        == 200
    )
    assert api.call("POST", f"/api/provider/v1/communes/{slug}/resume", actor=staff).status_code == 200

    rows = kit.scalar(
        f"SELECT json_agg(json_build_object('actor', actor, 'kind', actor_kind, 'action', action, "
        f"'type', object_type, 'id', object_id, 'before', before, 'after', after) ORDER BY id) FROM {schema}.audit_log"
    )
    assert [(r["actor"], r["kind"], r["action"], r["type"], r["id"]) for r in rows] == [
        (staff.username, "provider", "suspend", "commune", str(code)),
        (staff.username, "provider", "resume", "commune", str(code)),
    ]
    suspend, resume = rows
    assert suspend["before"]["status"] == "active" and suspend["after"] == {
        "status": "suspended",
        "suspended_reason": reason,
    }
    assert resume["before"] == {"status": "suspended", "suspended_reason": reason}
    assert resume["after"]["status"] == "active"
    assert kit.audit_rows(api.a, since_a) == [] and kit.audit_rows(api.b, since_b) == []


def test_residents_create_nothing_in_villages(api: Any, kit: Any) -> None:
    for tenant in (api.a, api.b):
        resident = api.actor(tenant, "resident")
        existing = kit.add_village(tenant)
        before = kit.commune_state(tenant)
        attempts = [
            ("POST", "/api/v1/villages", {"code": kit.unique("T"), "name": "Thôn Lạ"}),
            ("PATCH", f"/api/v1/villages/{existing.id}", {"name": "Đổi tên"}),
            ("POST", "/api/v1/roles", {"name": "tu_phong", "permissions": [{"obj": "villages", "act": "*"}]}),
            ("POST", "/api/v1/users", {"username": kit.unique("gia.mao"), "password": kit.password}),
        ]
        for method, path, body in attempts:
            for via in ("host", "prefix"):
                response = api.call(method, path, tenant=tenant, via=via, actor=resident, json=body)
                assert response.status_code == 403, (method, path, response.text)
                assert kit.error_code(response) == "forbidden"
        # Residents may read the villages (the catalogue grants it) but nothing was written or audited.
        assert api.call("GET", "/api/v1/villages", tenant=tenant, actor=resident).status_code == 200
        assert kit.commune_state(tenant) == before
