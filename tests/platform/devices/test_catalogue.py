"""Issue 15, devices: typed command parameters with display names, a rule's sensor must measure its field,
a command history per device (manual and rule-triggered), and alarms in the profile's display names and
units instead of technical field names ("soil-01: moisture=14 (< 15)")."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from testsupport.commune_world import World, commune_world

from smartcommune.platform.devices import service
from smartcommune.platform.devices.models import Alarm
from smartcommune.platform.devices.schemas import CommandIn, DeviceIn, ProfileIn
from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.errors import InvalidInput
from smartcommune.tenants.session import tenant_transaction

ACTOR = {"actor": "catalogue-tests", "actor_kind": "provider"}
OFFICIAL = "commune_official"


@pytest.fixture(scope="module")
def world(communes: tuple[TenantInfo, TenantInfo]) -> Iterator[World]:
    with commune_world(communes) as w:
        yield w


def _profile(tenant: TenantInfo, **extra: object) -> int:
    body = {
        "code": f"dat-{uuid.uuid4().hex[:6]}",
        "name": "Cảm biến đất và van",
        "fields": [{"name": "moisture", "label": "Độ ẩm đất", "unit": "%", "min": 0, "max": 100}],
        "commands": [
            {
                "name": "open_valve",
                "label": "Mở van",
                "params": {"minutes": {"type": "integer", "label": "Số phút", "unit": "phút", "min": 1, "max": 120}},
            }
        ],
        "alarm_rules": [{"field": "moisture", "op": "below", "threshold": 15}],
    } | extra
    with tenant_transaction(tenant) as db:
        return service.create_profile(db, ProfileIn.model_validate(body), **ACTOR).id


def _device(tenant: TenantInfo, profile_id: int, uid: str | None = None) -> int:
    uid = uid or f"d-{uuid.uuid4().hex[:8]}"
    with tenant_transaction(tenant) as db:
        ((device, _),) = service.create_devices(
            db, tenant, [DeviceIn(uid=uid, serial=uid, name=uid, profile_id=profile_id)], **ACTOR
        )
        return device.id


def test_typed_parameters_are_checked_and_named(world: World) -> None:
    a = world.a
    valve = _device(a, _profile(a))
    with pytest.raises(InvalidInput) as missing, tenant_transaction(a) as db:
        service.send_command(db, a, valve, CommandIn(name="open_valve"), **ACTOR)
    assert missing.value.code == "missing_parameter" and "Số phút" in missing.value.message_vi
    with pytest.raises(InvalidInput) as typed, tenant_transaction(a) as db:
        service.send_command(db, a, valve, CommandIn(name="open_valve", params={"minutes": 2.5}), **ACTOR)
    assert typed.value.code == "parameter_type" and typed.value.details["expected"] == "integer"
    profiles = world.call("GET", "/api/v1/device-profiles", a, world.person(a, OFFICIAL)).json()
    spec = next(p for p in profiles if p["commands"] and p["commands"][0].get("label") == "Mở van")
    assert spec["commands"][0]["params"]["minutes"]["type"] == "integer"
    assert spec["fields"][0]["label"] == "Độ ẩm đất"


def test_a_rule_sensor_must_measure_the_field(world: World) -> None:
    a = world.a
    valve = _device(a, _profile(a))
    camera_like = _device(a, _profile(a, fields=[{"name": "battery", "unit": "%"}], alarm_rules=[]))
    body = {
        "name": "Khô đất",
        "kind": "threshold",
        "field": "moisture",
        "op": "below",
        "threshold": 15,
        "clear_threshold": 25,
        "target_device_id": valve,
        "command": "open_valve",
        "params": {"minutes": 10},
    }
    official = world.person(a, OFFICIAL)
    wrong = world.call("POST", "/api/v1/device-rules", a, official, json=body | {"sensor_device_id": camera_like})
    assert wrong.status_code == 422 and wrong.json()["error"]["code"] == "unknown_field", wrong.text
    ok = world.call("POST", "/api/v1/device-rules", a, official, json=body | {"sensor_device_id": valve})
    assert ok.status_code == 201, ok.text


def test_command_history_lists_manual_and_rule_commands(world: World) -> None:
    a, b = world.a, world.b
    valve = _device(a, _profile(a))
    official = world.person(a, OFFICIAL)
    sent = world.call(
        "POST", f"/api/v1/devices/{valve}/commands", a, official, json={"name": "open_valve", "params": {"minutes": 5}}
    )
    assert sent.status_code == 202, sent.text
    rule = {
        "name": "Khô đất",
        "kind": "threshold",
        "sensor_device_id": valve,
        "field": "moisture",
        "op": "below",
        "threshold": 15,
        "clear_threshold": 25,
        "target_device_id": valve,
        "command": "open_valve",
        "params": {"minutes": 10},
    }
    assert world.call("POST", "/api/v1/device-rules", a, official, json=rule).status_code == 201
    with tenant_transaction(a) as db:
        assert service.evaluate_thresholds(db, a, [(valve, datetime.now(UTC), {"moisture": 12.0})]) >= 1
    history = world.call("GET", f"/api/v1/devices/{valve}/commands", a, official)
    assert history.status_code == 200, history.text
    rows = history.json()
    assert sorted(r["source"] for r in rows) == ["rule", "user"]
    assert {r["params"]["minutes"] for r in rows} == {5, 10} and all(r["status"] == "sent" for r in rows)
    other = world.call("GET", f"/api/v1/devices/{valve}/commands", b, world.person(b, OFFICIAL))
    assert other.status_code == 404
    with tenant_transaction(a) as db:
        alarm = db.query(Alarm).filter(Alarm.device_id == valve, Alarm.rule_id.is_not(None)).one()
        assert alarm.message == "Khô đất: Độ ẩm đất = 12 %"


def test_profile_alarms_use_display_names_and_units(world: World) -> None:
    a = world.a
    profile = _profile(a)
    uid = f"soil-{uuid.uuid4().hex[:6]}"
    device = _device(a, profile, uid)
    with tenant_transaction(a) as db:
        p = service.get_profile(db, profile)
        rules = service.compile_alarms(p.alarm_rules, p.fields)
        sample = (device, uid, datetime.now(UTC), {"moisture": 14.5}, rules)
        assert service.evaluate_profile_alarms(db, a, [sample]) == 1
        alarm = db.query(Alarm).filter(Alarm.device_id == device).one()
        assert alarm.message == f"{uid}: Độ ẩm đất = 14,5 % (< 15 %)"
        assert "moisture" not in alarm.message
