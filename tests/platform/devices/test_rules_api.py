"""Editing and deleting device rules over the real app (PATCH / DELETE /api/v1/device-rules/{id}), against
real PostgreSQL with two communes: checked as on creation, audited, another commune's rule is 404."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select, text
from testsupport.commune_world import World, commune_world

from smartcommune.platform.devices import service
from smartcommune.platform.devices.models import Alarm, DeviceRule
from smartcommune.platform.devices.schemas import DeviceIn, ProfileIn
from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.database import owner_engine, quote_ident
from smartcommune.tenants.session import tenant_transaction

ACTOR = {"actor": "rule-tests", "actor_kind": "provider"}
OFFICIAL = "commune_official"


@pytest.fixture(scope="module")
def world(communes: tuple[TenantInfo, TenantInfo]) -> Iterator[World]:
    with commune_world(communes) as w:
        yield w


def _devices(tenant: TenantInfo) -> tuple[int, int]:
    """A soil sensor and a valve (with an `open_valve` command taking 1–120 minutes)."""
    with tenant_transaction(tenant) as db:
        profile = service.create_profile(
            db,
            ProfileIn.model_validate(
                {
                    "code": f"van-{uuid.uuid4().hex[:6]}",
                    "name": "Van tưới",
                    "fields": [{"name": "soil_moisture", "unit": "%", "min": 0, "max": 100}],
                    "commands": [{"name": "open_valve", "params": {"minutes": {"min": 1, "max": 120}}}],
                }
            ),
            **ACTOR,
        )
        ids = []
        for name in ("Đất 1", "Van 1"):
            uid = f"d-{uuid.uuid4().hex[:8]}"
            ((device, _),) = service.create_devices(
                db, tenant, [DeviceIn(uid=uid, serial=uid, name=name, profile_id=profile.id)], **ACTOR
            )
            ids.append(device.id)
        return ids[0], ids[1]


def _audits(tenant: TenantInfo, rule_id: int) -> list[tuple[str, Any, Any]]:
    with owner_engine().connect() as conn:
        rows = conn.execute(
            text(
                f"SELECT action, before, after FROM {quote_ident(tenant.schema_name)}.audit_log "
                "WHERE object_type = 'device_rule' AND object_id = :oid ORDER BY id"
            ),
            {"oid": str(rule_id)},
        )
        return [(r.action, r.before, r.after) for r in rows]


def _create(world: World, tenant: TenantInfo, body: dict[str, Any]) -> dict[str, Any]:
    r = world.call("POST", "/api/v1/device-rules", tenant, world.person(tenant, OFFICIAL), json=body)
    assert r.status_code == 201, r.text
    return dict(r.json())


def _threshold(sensor: int) -> dict[str, Any]:
    return {
        "name": "Khô đất",
        "kind": "threshold",
        "sensor_device_id": sensor,
        "field": "soil_moisture",
        "op": "below",
        "threshold": 20,
        "clear_threshold": 30,
        "duration_s": 60,
    }


def test_officials_edit_a_threshold_rule_checked_as_on_creation_and_audited(world: World) -> None:
    a, b = world.a, world.b
    sensor, valve = _devices(a)
    rule = _create(world, a, _threshold(sensor))
    path = f"/api/v1/device-rules/{rule['id']}"
    official = world.person(a, OFFICIAL)

    edited = world.call("PATCH", path, a, official, json={"threshold": 15, "clear_threshold": 25, "duration_s": 300})
    assert edited.status_code == 200, edited.text
    out = edited.json()
    assert (out["threshold"], out["clear_threshold"], out["duration_s"], out["name"]) == (15, 25, 300, "Khô đất")
    ((_, before, after),) = [x for x in _audits(a, rule["id"]) if x[0] == "update"]
    assert before["threshold"] == 20 and after["threshold"] == 15 and after["clear_threshold"] == 25

    # Hysteresis on the wrong side, an unknown field, a bad time: refused with a code, nothing changed.
    wrong_side = world.call("PATCH", path, a, official, json={"clear_threshold": 10})
    assert wrong_side.status_code == 422 and wrong_side.json()["error"]["code"] == "invalid_rule"
    kind = world.call("PATCH", path, a, official, json={"kind": "schedule"})
    assert kind.status_code == 422 and kind.json()["error"]["code"] == "invalid_input"
    negative = world.call("PATCH", path, a, official, json={"duration_s": -1})
    assert negative.status_code == 422 and negative.json()["error"]["code"] == "invalid_input"
    bad_command = world.call(
        "PATCH",
        path,
        a,
        official,
        json={"target_device_id": valve, "command": "open_valve", "params": {"minutes": 999}},
    )
    assert bad_command.status_code == 422, bad_command.text
    with tenant_transaction(a) as db:
        row = db.get(DeviceRule, rule["id"])
        assert row is not None and (row.threshold, row.clear_threshold, row.target_device_id) == (15, 25, None)

    # Only this commune's devices may be named; the other commune cannot see the rule at all.
    unknown = world.call("PATCH", path, a, official, json={"sensor_device_id": 10**12})
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "device_not_found"
    for method, body in (("PATCH", {"enabled": False}), ("DELETE", None)):
        r = world.call(method, path, b, world.person(b, OFFICIAL), json=body)
        assert r.status_code == 404 and r.json()["error"]["code"] == "rule_not_found"
    refused = world.call("PATCH", path, a, world.person(a, "resident"), json={"enabled": False})
    assert refused.status_code == 403

    disabled = world.call("PATCH", path, a, official, json={"enabled": False})
    assert disabled.status_code == 200 and disabled.json()["enabled"] is False
    assert [x[0] for x in _audits(a, rule["id"])] == ["create", "update", "update"]


def test_schedule_edit_and_delete_keep_the_alarm_history(world: World) -> None:
    a = world.a
    sensor, valve = _devices(a)
    official = world.person(a, OFFICIAL)
    schedule = _create(
        world,
        a,
        {
            "name": "Tưới sáng",
            "kind": "schedule",
            "time_of_day": "05:30",
            "duration_min": 20,
            "target_device_id": valve,
            "command": "open_valve",
            "rain_device_id": sensor,
            "rain_field": "soil_moisture",
            "rain_threshold": 10,
        },
    )
    path = f"/api/v1/device-rules/{schedule['id']}"
    moved = world.call("PATCH", path, a, official, json={"time_of_day": "17:45", "duration_min": 30})
    assert moved.status_code == 200 and (moved.json()["time_of_day"], moved.json()["duration_min"]) == ("17:45", 30)
    late = world.call("PATCH", path, a, official, json={"time_of_day": "25:00"})
    assert late.status_code == 422
    too_long = world.call("PATCH", path, a, official, json={"duration_min": 500})  # the valve takes ≤ 120 min
    assert too_long.status_code == 422

    threshold = _create(world, a, _threshold(sensor))
    with tenant_transaction(a) as db:
        db.add(Alarm(device_id=sensor, rule_id=threshold["id"], message="Khô đất: soil_moisture=12"))
    gone = world.call("DELETE", f"/api/v1/device-rules/{threshold['id']}", a, official)
    assert gone.status_code == 204
    again = world.call("DELETE", f"/api/v1/device-rules/{threshold['id']}", a, official)
    assert again.status_code == 404 and again.json()["error"]["code"] == "rule_not_found"
    listed = world.call("GET", "/api/v1/device-rules", a, official).json()
    assert threshold["id"] not in [r["id"] for r in listed] and schedule["id"] in [r["id"] for r in listed]
    with tenant_transaction(a) as db:
        kept = db.scalars(select(Alarm).where(Alarm.device_id == sensor)).all()
    assert [(x.rule_id, x.message) for x in kept] == [(None, "Khô đất: soil_moisture=12")]
    assert [x[0] for x in _audits(a, threshold["id"])] == ["create", "delete"]
