"""Archiving households and residents through the real app: audited, reversible, and nothing that points at
them is lost (deliveries, inbox items, reports stay); archived people leave lists and announcement targeting."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select, text
from testsupport.commune_world import World, unique

from smartcommune.platform.announcements.models import Delivery
from smartcommune.tenants.database import owner_engine, quote_ident


def _audit(world: World, object_type: str, object_id: int) -> list[str]:
    schema = quote_ident(world.a.schema_name)
    with owner_engine().connect() as conn:
        rows = conn.execute(
            text(f"SELECT action FROM {schema}.audit_log WHERE object_type = :t AND object_id = :i ORDER BY id"),
            {"t": object_type, "i": str(object_id)},
        )
        return [r for (r,) in rows]


def test_archive_and_restore_keep_everything_that_points_at_them(world: World) -> None:
    tenant = world.a
    official = world.person(tenant, "commune_official")
    village = world.call(
        "POST",
        "/api/v1/villages",
        tenant,
        world.person(tenant, "commune_admin"),
        json={"code": unique("T"), "name": unique("Thôn")},
    ).json()["id"]
    household = world.call(
        "POST", "/api/v1/households", tenant, official, json={"village_id": village, "house_number": unique("H")}
    ).json()
    phone = f"09{uuid.uuid4().int % 10**8:08d}"
    body: dict[str, Any] = {"full_name": "Hoàng Văn E", "household_id": household["id"], "phone": phone}
    resident = world.call("POST", "/api/v1/residents", tenant, official, json=body).json()
    target = {"whole_commune": False, "village_ids": [village]}
    announce = {"title": "Họp thôn", "body": "19 giờ.", "channels": ["sms"], "target": target}
    first = world.call("POST", "/api/v1/announcements", tenant, official, json=announce).json()
    assert first["recipients"] == 1

    # A household someone still lives in cannot be archived; the resident first.
    busy = world.call("DELETE", f"/api/v1/households/{household['id']}", tenant, official)
    assert busy.status_code == 409 and busy.json()["error"]["code"] == "household_not_empty"
    archived = world.call("DELETE", f"/api/v1/residents/{resident['id']}", tenant, official)
    assert archived.status_code == 200 and archived.json()["archived_at"] and archived.json()["archived_by"]
    again = world.call("DELETE", f"/api/v1/residents/{resident['id']}", tenant, official)
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_archived"
    assert world.call("DELETE", f"/api/v1/households/{household['id']}", tenant, official).status_code == 200

    # Gone from lists and from targeting; still readable by id, with its deliveries intact.
    listed = world.call("GET", "/api/v1/residents", tenant, official, params={"village_id": village}).json()
    assert listed == []
    with_archived = world.call(
        "GET", "/api/v1/residents", tenant, official, params={"village_id": village, "include_archived": "true"}
    ).json()
    assert [r["id"] for r in with_archived] == [resident["id"]]
    assert world.call("GET", "/api/v1/households", tenant, official, params={"village_id": village}).json() == []
    assert world.call("GET", f"/api/v1/residents/{resident['id']}", tenant, official).json()["archived_at"]
    second = world.call("POST", "/api/v1/announcements", tenant, official, json=announce).json()
    assert second["recipients"] == 0
    from smartcommune.tenants.session import tenant_transaction

    with tenant_transaction(tenant) as db:
        kept = db.scalar(select(func.count()).where(Delivery.resident_id == resident["id"]))
    assert kept == 1  # the first announcement's SMS delivery is still there
    # Nobody can be placed in an archived household.
    moved = world.call(
        "POST", "/api/v1/residents", tenant, official, json={"full_name": "X", "household_id": household["id"]}
    )
    assert moved.status_code == 422 and moved.json()["error"]["code"] == "household_archived"

    # Restoring: the household first, then its resident.
    early = world.call("POST", f"/api/v1/residents/{resident['id']}/restore", tenant, official)
    assert early.status_code == 409 and early.json()["error"]["code"] == "household_archived"
    assert world.call("POST", f"/api/v1/households/{household['id']}/restore", tenant, official).status_code == 200
    restored = world.call("POST", f"/api/v1/residents/{resident['id']}/restore", tenant, official)
    assert restored.status_code == 200 and restored.json()["archived_at"] is None
    assert world.call("POST", "/api/v1/announcements", tenant, official, json=announce).json()["recipients"] == 1

    assert _audit(world, "resident", resident["id"]) == ["create", "archive", "restore"]
    assert _audit(world, "household", household["id"]) == ["create", "archive", "restore"]
    # A village head (read-only on the register) cannot archive.
    head = world.person(tenant, "village_head")
    assert world.call("DELETE", f"/api/v1/residents/{resident['id']}", tenant, head).status_code == 403
