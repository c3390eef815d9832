"""Modules on and off (commune admins, audited): a disabled module's routes answer 404 `module_disabled`, the
public profile stops listing it, and both come back when it is enabled again; the other commune is untouched."""

from __future__ import annotations

from sqlalchemy import func, select
from testsupport.commune_world import World

from smartcommune.tenants.audit import AuditEntry
from smartcommune.tenants.session import tenant_transaction

MODULES = "/api/v1/commune/modules"


def test_disable_and_enable_a_module(world: World) -> None:
    a, b = world.a, world.b
    admin = world.person(a, "commune_admin")
    listed = world.call("GET", MODULES, a, admin)
    assert listed.status_code == 200, listed.text
    states = {m["code"]: m for m in listed.json()}
    assert states["villages"]["optional"] is False and states["surveys"]["optional"] is True
    assert world.call("GET", "/api/v1/surveys", a, admin).status_code == 200

    off = world.call("PUT", f"{MODULES}/surveys", a, admin, json={"enabled": False})
    assert off.status_code == 200, off.text
    assert {m["code"]: m["enabled"] for m in off.json()}["surveys"] is False
    try:
        assert "surveys" not in world.call("GET", "/api/v1/commune", a).json()["modules"]
        gone = world.call("GET", "/api/v1/surveys", a, admin)
        assert gone.status_code == 404 and gone.json()["error"]["code"] == "module_disabled"
        # Other modules stay as they were; commune B still has surveys.
        assert "announcements" in world.call("GET", "/api/v1/commune", a).json()["modules"]
        assert "surveys" in world.call("GET", "/api/v1/commune", b).json()["modules"]
        with tenant_transaction(a) as db:
            where = (AuditEntry.object_type == "commune_module", AuditEntry.object_id == "surveys")
            audited = db.scalar(select(func.count()).where(*where))
        assert audited and audited >= 1
    finally:
        on = world.call("PUT", f"{MODULES}/surveys", a, admin, json={"enabled": True})
    assert on.status_code == 200
    assert "surveys" in world.call("GET", "/api/v1/commune", a).json()["modules"]
    assert world.call("GET", "/api/v1/surveys", a, admin).status_code == 200


def test_module_changes_refused(world: World) -> None:
    a = world.a
    admin = world.person(a, "commune_admin")
    core = world.call("PUT", f"{MODULES}/villages", a, admin, json={"enabled": False})
    assert core.status_code == 422 and core.json()["error"]["code"] == "module_required"
    unknown = world.call("PUT", f"{MODULES}/nope", a, admin, json={"enabled": False})
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "module_not_found"
    resident = world.person(a, "resident")
    assert world.call("PUT", f"{MODULES}/surveys", a, resident, json={"enabled": False}).status_code == 403
