"""Devices against a real Mosquitto the test starts (password file + per-device ACL from the control index),
simulated devices (paho-mqtt), real PostgreSQL with two communes."""

from __future__ import annotations

import getpass
import json
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from sqlalchemy import func, select

from smartcommune.platform.devices import credentials as creds
from smartcommune.platform.devices import service
from smartcommune.platform.devices.ingest import Ingester
from smartcommune.platform.devices.models import Alarm, DeadLetter, Device, DeviceCommand, Telemetry
from smartcommune.platform.devices.mqtt import BrokerAddress, Publisher, set_publisher
from smartcommune.platform.devices.schemas import CommandIn, DeviceIn, ProfileIn, RuleIn
from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.database import app_engine
from smartcommune.tenants.session import tenant_transaction

pytestmark = pytest.mark.skipif(shutil.which("mosquitto") is None, reason="mosquitto is not installed")
ACTOR = {"actor": "device-tests", "actor_kind": "provider"}
INGEST_USER, INGEST_PASSWORD = "svc.ingest", uuid.uuid4().hex


def _free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = int(s.getsockname()[1])
    s.close()
    return port


class Broker:
    """A Mosquitto instance of this test: authenticated, ACL per device, persistent (for restarts)."""

    def __init__(self, root: Path) -> None:
        self.root, self.port = root, _free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    def write_files(self) -> None:
        with app_engine().connect() as conn:
            identities = service.broker_identities(conn)
        service_id = creds.BrokerIdentity(INGEST_USER, creds.hash_secret(INGEST_PASSWORD), service=True)
        passwd, acl = creds.mosquitto_files([service_id, *identities])
        (self.root / "passwd").write_text(passwd)
        (self.root / "acl").write_text(acl)
        (self.root / "mosquitto.conf").write_text(
            f"listener {self.port} 127.0.0.1\nallow_anonymous false\nuser {getpass.getuser()}\n"
            f"password_file {self.root / 'passwd'}\nacl_file {self.root / 'acl'}\n"
            f"persistence true\npersistence_location {self.root}/\nmax_queued_messages 100000\n"
        )

    def start(self) -> None:
        self.proc = subprocess.Popen(["mosquitto", "-c", str(self.root / "mosquitto.conf")], stderr=subprocess.PIPE)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("mosquitto did not start")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=5)
            self.proc = None


def device_client(broker: Broker, username: str, password: str, **kw: Any) -> mqtt.Client:
    client = mqtt.Client(
        mqtt.CallbackAPIVersion.VERSION2, client_id=username + uuid.uuid4().hex[:4], protocol=mqtt.MQTTv5, **kw
    )
    client.username_pw_set(username, password)
    client.connect("127.0.0.1", broker.port)
    client.loop_start()
    return client


def wait_for(probe: Callable[[], bool], timeout_s: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if probe():
            return True
        time.sleep(0.05)
    return probe()


def count(tenant: TenantInfo, model: Any, *where: Any) -> int:
    with tenant_transaction(tenant) as db:
        return int(db.scalar(select(func.count()).select_from(model).where(*where)) or 0)


@pytest.fixture(scope="module")
def world(
    communes: tuple[TenantInfo, TenantInfo], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    cam_lo, hau_loc = communes
    made: dict[int, Any] = {}
    for tenant in (cam_lo, hau_loc):
        with tenant_transaction(tenant) as db:
            code = f"greenhouse-{uuid.uuid4().hex[:6]}"
            profile = service.create_profile(
                db,
                ProfileIn.model_validate(
                    {
                        "code": code,
                        "name": "Nhà kính thủy canh",
                        "fields": [
                            {"name": "soil_moisture", "unit": "%", "min": 0, "max": 100},
                            {"name": "rain_mm", "unit": "mm", "min": 0, "max": 500},
                        ],
                        "commands": [
                            {
                                "name": "open_valve",
                                "params": {"valve": {"min": 1, "max": 8}, "minutes": {"min": 1, "max": 120}},
                                "timeout_s": 5,
                            }
                        ],
                    }
                ),
                **ACTOR,
            )
            tag = uuid.uuid4().hex[:6]
            issued = service.create_devices(
                db,
                tenant,
                [
                    DeviceIn(uid=f"sensor-{tag}", serial=f"S{tag}", name="Cảm biến đất", profile_id=profile.id),
                    DeviceIn(uid=f"valve-{tag}", serial=f"V{tag}", name="Van tưới", profile_id=profile.id),
                ],
                **ACTOR,
            )
            made[tenant.commune_code] = [(d.id, d.uid, d.mqtt_username, secret) for d, secret in issued]
    broker = Broker(tmp_path_factory.mktemp("mosquitto"))
    broker.write_files()
    broker.start()
    address = BrokerAddress("127.0.0.1", broker.port, INGEST_USER, INGEST_PASSWORD)
    ingester = Ingester(address, client_id=f"ingest-{uuid.uuid4().hex[:6]}", flush_ms=50).start()
    set_publisher(Publisher(address))
    assert ingester.connected.wait(5)
    yield {"broker": broker, "ingester": ingester, "devices": made, "a": cam_lo, "b": hau_loc}
    ingester.stop()
    set_publisher(None)
    broker.stop()


def test_telemetry_lands_in_its_own_commune_and_bad_messages_are_dead_lettered(world: dict[str, Any]) -> None:
    a, _b = world["a"], world["b"]
    sensor_id, uid, user, secret = world["devices"][a.commune_code][0]
    client = device_client(world["broker"], user, secret)
    topic = f"t/{a.commune_code}/d/{uid}/telemetry"
    for value in (41.5, 42.0, 43.25):
        client.publish(topic, json.dumps({"soil_moisture": value}), qos=1).wait_for_publish(5)
    client.publish(topic, b"{not json", qos=1).wait_for_publish(5)
    client.publish(topic, json.dumps({"soil_moisture": 180}), qos=1).wait_for_publish(5)
    client.publish(topic, json.dumps({"humidity": 3}), qos=1).wait_for_publish(5)
    assert wait_for(lambda: count(a, Telemetry, Telemetry.device_id == sensor_id) == 3)
    assert wait_for(lambda: count(a, DeadLetter, DeadLetter.device_uid == uid) == 3)
    with tenant_transaction(a) as db:
        reasons = sorted(db.scalars(select(DeadLetter.reason).where(DeadLetter.device_uid == uid)))
        device = db.get(Device, sensor_id)
        assert device is not None and service.is_online(device)
    assert reasons == ["malformed_json", "out_of_range", "unknown_field"]
    assert world["ingester"].counters["batch_errors"] == 0
    client.loop_stop()
    client.disconnect()


def test_another_communes_topics_are_refused_by_the_broker(world: dict[str, Any]) -> None:
    a, b = world["a"], world["b"]
    _, _uid_a, user_a, secret_a = world["devices"][a.commune_code][0]
    b_sensor, uid_b, _, _ = world["devices"][b.commune_code][0]
    before = count(b, Telemetry, Telemetry.device_id == b_sensor)
    client = device_client(world["broker"], user_a, secret_a)
    stolen: list[bytes | bytearray] = []
    client.on_message = lambda c, u, msg: stolen.append(msg.payload)
    # Publishing into the other commune's device tree, and reading its commands: both refused.
    info = client.publish(f"t/{b.commune_code}/d/{uid_b}/telemetry", json.dumps({"soil_moisture": 5}), qos=1)
    info.wait_for_publish(5)
    client.subscribe(f"t/{b.commune_code}/d/{uid_b}/rpc/req/+", qos=1)
    client.subscribe("t/+/d/+/telemetry", qos=1)  # and nobody else's telemetry either
    time.sleep(0.3)
    platform = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="platform-check", protocol=mqtt.MQTTv311)
    platform.username_pw_set(INGEST_USER, INGEST_PASSWORD)
    platform.connect("127.0.0.1", world["broker"].port)
    platform.loop_start()
    platform.publish(f"t/{b.commune_code}/d/{uid_b}/rpc/req/{uuid.uuid4()}", b"{}", qos=1).wait_for_publish(5)
    platform.loop_stop()
    platform.disconnect()
    time.sleep(0.5)
    assert stolen == []
    assert count(b, Telemetry, Telemetry.device_id == b_sensor) == before
    client.loop_stop()
    client.disconnect()
    # A wrong password is refused outright.
    bad = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="bad", protocol=mqtt.MQTTv311)
    bad.username_pw_set(user_a, "sai-mat-khau")
    assert bad.connect("127.0.0.1", world["broker"].port) == 0
    rc = bad.loop(timeout=2)
    assert rc != 0 or not bad.is_connected()


def test_rule_fires_command_reaches_the_valve_which_acknowledges_then_hysteresis_clears(world: dict[str, Any]) -> None:
    a = world["a"]
    (sensor_id, s_uid, s_user, s_secret), (valve_id, v_uid, v_user, v_secret) = world["devices"][a.commune_code]
    with tenant_transaction(a) as db:
        rule = service.create_rule(
            db,
            RuleIn(
                name="Đất khô",
                kind="threshold",
                sensor_device_id=sensor_id,
                field="soil_moisture",
                op="below",
                threshold=30,
                clear_threshold=40,
                duration_s=60,
                target_device_id=valve_id,
                command="open_valve",
                params={"valve": 2, "minutes": 15},
            ),
            **ACTOR,
        )
        rule_id = rule.id
    valve = device_client(world["broker"], v_user, v_secret)
    received: list[str] = []

    def on_message(c: mqtt.Client, u: Any, msg: mqtt.MQTTMessage) -> None:
        req = json.loads(msg.payload)
        received.append(req["method"])
        c.publish(
            f"t/{a.commune_code}/d/{v_uid}/rpc/res/{req['id']}",
            json.dumps({"ok": True, "opened": req["params"]}),
            qos=1,
        )

    valve.on_message = on_message
    valve.subscribe(f"t/{a.commune_code}/d/{v_uid}/rpc/req/+", qos=1)
    sensor = device_client(world["broker"], s_user, s_secret)
    topic = f"t/{a.commune_code}/d/{s_uid}/telemetry"
    t0 = datetime.now(UTC) - timedelta(minutes=5)
    # Dry, but not for long enough; then back above X but below Y; then dry for 2 minutes → fires once.
    samples = [(0, 25), (30, 35), (60, 20), (120, 22), (185, 21), (200, 19)]
    for offset, value in samples:
        payload = {"soil_moisture": value, "ts": (t0 + timedelta(seconds=offset)).timestamp()}
        sensor.publish(topic, json.dumps(payload), qos=1).wait_for_publish(5)
        time.sleep(0.08)
    assert wait_for(
        lambda: count(a, DeviceCommand, DeviceCommand.device_id == valve_id, DeviceCommand.status == "succeeded") == 1
    )
    assert received == ["open_valve"]
    assert count(a, Alarm, Alarm.rule_id == rule_id, Alarm.state == "active") == 1
    # 35 is not enough to clear (hysteresis), 45 is.
    for offset, value in ((260, 35), (320, 45)):
        payload = {"soil_moisture": value, "ts": (t0 + timedelta(seconds=offset)).timestamp()}
        sensor.publish(topic, json.dumps(payload), qos=1).wait_for_publish(5)
        time.sleep(0.1)
    assert wait_for(lambda: count(a, Alarm, Alarm.rule_id == rule_id, Alarm.state == "cleared") == 1)
    with tenant_transaction(a) as db:
        cmd = db.scalars(select(DeviceCommand).where(DeviceCommand.device_id == valve_id)).one()
        assert cmd.source == "rule" and cmd.params == {"valve": 2, "minutes": 15} and cmd.result is not None
    for c in (valve, sensor):
        c.loop_stop()
        c.disconnect()


def test_schedule_skips_when_it_rained(world: dict[str, Any]) -> None:
    a = world["a"]
    (sensor_id, *_), (valve_id, *_) = world["devices"][a.commune_code]
    with tenant_transaction(a) as db:
        dry = service.create_rule(
            db,
            RuleIn(
                name="Tưới sáng",
                kind="schedule",
                time_of_day="06:00",
                duration_min=20,
                target_device_id=valve_id,
                command="open_valve",
                params={"valve": 1},
                rain_device_id=sensor_id,
                rain_field="rain_mm",
                rain_threshold=5,
            ),
            **ACTOR,
        )
        at = datetime(2026, 11, 21, 6, 5, tzinfo=service.LOCAL_TZ)
        outcomes = dict(service.run_schedules(db, a, at))
        assert outcomes[dry.id] == "ran"
        assert dict(service.run_schedules(db, a, at + timedelta(minutes=10))).get(dry.id) is None  # once a day
        db.add(Telemetry(device_id=sensor_id, ts=at + timedelta(hours=20), data={"rain_mm": 12.0}))
        db.flush()
        outcomes = dict(service.run_schedules(db, a, at + timedelta(days=1)))
        assert outcomes[dry.id] == "skipped_rain"


def test_broker_restart_loses_nothing_at_qos1(world: dict[str, Any]) -> None:
    a, broker, ingester = world["a"], world["broker"], world["ingester"]
    sensor_id, uid, user, secret = world["devices"][a.commune_code][0]
    before = count(a, Telemetry, Telemetry.device_id == sensor_id)
    broker.stop()
    assert wait_for(lambda: not ingester.connected.is_set(), 5)
    broker.start()
    # Published while the ingester is still away: the broker keeps them for its persistent session.
    client = device_client(broker, user, secret)
    topic = f"t/{a.commune_code}/d/{uid}/telemetry"
    for i in range(200):
        client.publish(topic, json.dumps({"soil_moisture": 50 + (i % 10)}), qos=1)
    client.loop_stop()
    client.disconnect()
    assert wait_for(lambda: ingester.connected.is_set(), 15)
    assert wait_for(lambda: count(a, Telemetry, Telemetry.device_id == sensor_id) >= before + 200, 15)
    assert ingester.counters["connects"] >= 2


def _get(port: int, path: str) -> tuple[int, str]:
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def test_ingester_health_endpoints_report_broker_database_and_metrics(world: dict[str, Any]) -> None:
    a, ingester = world["a"], world["ingester"]
    sensor_id, uid, user, secret = world["devices"][a.commune_code][0]
    client = device_client(world["broker"], user, secret)
    before = count(a, Telemetry, Telemetry.device_id == sensor_id)
    client.publish(f"t/{a.commune_code}/d/{uid}/telemetry", json.dumps({"soil_moisture": 12}), qos=1).wait_for_publish(
        5
    )
    client.publish(f"t/{a.commune_code}/d/{uid}/telemetry", b"[]", qos=1).wait_for_publish(5)
    client.loop_stop()
    client.disconnect()
    assert wait_for(lambda: count(a, Telemetry, Telemetry.device_id == sensor_id) == before + 1)
    health = ingester.health_server(port=0, host="127.0.0.1").start()
    try:
        assert _get(health.port, "/healthz")[0] == 200
        status, body = _get(health.port, "/readyz")
        assert status == 200 and json.loads(body)["checks"] == {"broker": True, "database": True}
        status, metrics = _get(health.port, "/metrics")
        assert status == 200
        stored = [line for line in metrics.splitlines() if line.startswith("smartcommune_ingest_stored_total ")]
        assert stored and float(stored[0].split()[1]) >= 1
        assert "smartcommune_ingest_dead_letters_total" in metrics
        assert "smartcommune_ingest_batch_seconds_bucket" in metrics
        assert _get(health.port, "/nope")[0] == 404
    finally:
        health.stop()


def test_readyz_fails_while_the_broker_is_unreachable() -> None:
    ingester = Ingester(BrokerAddress("127.0.0.1", _free_port(), None, None), client_id=f"x-{uuid.uuid4().hex[:6]}")
    ingester.start()
    health = ingester.health_server(port=0, host="127.0.0.1").start()
    try:
        status, body = _get(health.port, "/readyz")
        assert status == 503
        assert json.loads(body)["checks"] == {"broker": False, "database": True}
        assert _get(health.port, "/healthz")[0] == 200  # alive: not connected is not a reason to restart
    finally:
        health.stop()
        ingester.stop()


def test_shared_subscription_spreads_messages_over_ingesters_without_loss_or_duplicates(
    world: dict[str, Any],
) -> None:
    """Scale-out: two more ingesters on `$share/ingest/...` (MQTT v5) next to the plain one.

    A plain subscriber and a shared group each get every message (that is MQTT), so the module's plain
    ingester unsubscribes from telemetry for the duration: every row then comes from the shared group."""
    a, broker, plain = world["a"], world["broker"], world["ingester"]
    sensor_id, uid, user, secret = world["devices"][a.commune_code][0]
    address = BrokerAddress("127.0.0.1", broker.port, INGEST_USER, INGEST_PASSWORD)
    group = f"ingest{uuid.uuid4().hex[:4]}"
    members = [
        Ingester(address, client_id=f"shared-{group}-{i}", shared_group=group, flush_ms=50).start() for i in range(2)
    ]
    try:
        assert all(m.connected.wait(5) for m in members)
        time.sleep(0.3)  # subscriptions granted
        plain.client.unsubscribe(["t/+/d/+/telemetry"])
        time.sleep(0.3)
        before = count(a, Telemetry, Telemetry.device_id == sensor_id)
        client = device_client(broker, user, secret)
        topic = f"t/{a.commune_code}/d/{uid}/telemetry"
        infos = [client.publish(topic, json.dumps({"soil_moisture": i % 100}), qos=1) for i in range(400)]
        for info in infos:
            info.wait_for_publish(10)
        client.loop_stop()
        client.disconnect()
        assert wait_for(lambda: sum(m.counters["stored"] for m in members) == 400, 15)
        assert wait_for(lambda: count(a, Telemetry, Telemetry.device_id == sensor_id) == before + 400, 5)
        time.sleep(0.3)
        assert count(a, Telemetry, Telemetry.device_id == sensor_id) == before + 400  # exactly once
        assert all(m.counters["stored"] > 0 for m in members)  # both members took a share
    finally:
        for m in members:
            m.stop()
        plain.client.subscribe([("t/+/d/+/telemetry", 1)])


def test_hostile_payloads_are_dead_lettered_and_never_stall_the_ingester(world: dict[str, Any]) -> None:
    """Payloads that once could fail a whole batch (and so retry it forever) land in the dead-letter table;
    valid ones around them are stored, a device's own timestamp and JSON escapes included."""
    a, ingester = world["a"], world["ingester"]
    sensor_id, uid, user, secret = world["devices"][a.commune_code][0]
    errors_before = ingester.counters["batch_errors"]
    stored_before = count(a, Telemetry, Telemetry.device_id == sensor_id)
    dead_before = count(a, DeadLetter, DeadLetter.device_uid == uid)
    client = device_client(world["broker"], user, secret)
    topic = f"t/{a.commune_code}/d/{uid}/telemetry"
    hostile = [
        b'{"soil_moisture": 1' + b"0" * 400 + b"}",  # an integer no float holds
        b"\x00\x01\x02",  # NUL bytes (PostgreSQL text cannot hold them)
        '{"soil_moisture": 5}'.encode("utf-16"),  # valid JSON, not UTF-8
        b'{"soil_moisture": true}',
        b'{"soil_moisture": NaN}',
        b'{"soil_moisture": 5, "ts": "not a time"}',
    ]
    valid = [b'{"soil_moisture": 61, "ts": 1763700000}', b'{"soil\\u005fmoisture":\t62}', b'{"soil_moisture": 63.5}']
    for payload in [*hostile, *valid]:
        client.publish(topic, payload, qos=1).wait_for_publish(5)
    client.loop_stop()
    client.disconnect()
    assert wait_for(lambda: count(a, Telemetry, Telemetry.device_id == sensor_id) == stored_before + 3)
    assert wait_for(lambda: count(a, DeadLetter, DeadLetter.device_uid == uid) == dead_before + len(hostile))
    assert ingester.counters["batch_errors"] == errors_before
    with tenant_transaction(a) as db:
        rows = db.scalars(
            select(Telemetry).where(Telemetry.device_id == sensor_id).order_by(Telemetry.id.desc()).limit(3)
        ).all()
        reasons = db.scalars(
            select(DeadLetter.reason).where(DeadLetter.device_uid == uid).order_by(DeadLetter.id.desc()).limit(6)
        ).all()
    assert sorted(r.data["soil_moisture"] for r in rows) == [61, 62, 63.5]
    assert any(r.ts == datetime.fromtimestamp(1763700000, UTC) for r in rows)
    assert sorted(reasons) == sorted(
        ["out_of_range", "malformed_json", "malformed_json", "not_numeric", "not_numeric", "bad_timestamp"]
    )


def test_acks_after_commit_mean_unacknowledged_messages_come_back(world: dict[str, Any]) -> None:
    """The wire client in manual-ack mode: what was received but not acknowledged is delivered again on
    the next connection of the same session; what was acknowledged is not."""
    from smartcommune.platform.devices.wire import Received, Subscriber

    a, broker = world["a"], world["broker"]
    _, uid, user, secret = world["devices"][a.commune_code][0]
    address = BrokerAddress("127.0.0.1", broker.port, INGEST_USER, INGEST_PASSWORD)
    client_id, topic = f"acks-{uuid.uuid4().hex[:6]}", f"t/{a.commune_code}/d/{uid}/attr"
    got: list[Received] = []

    def session() -> Subscriber:
        sub = Subscriber(address, client_id, [(topic, 1)], got.extend, manual_ack=True).start()
        assert sub.connected.wait(5)
        return sub

    first = session()
    time.sleep(0.3)  # subscribed
    device = device_client(broker, user, secret)
    for i in range(5):
        device.publish(topic, json.dumps({"n": i}), qos=1).wait_for_publish(5)
    device.loop_stop()
    device.disconnect()
    assert wait_for(lambda: len(got) == 5)
    first.stop()  # nothing acknowledged
    got.clear()
    second = session()
    assert wait_for(lambda: len(got) == 5)  # all five again
    assert sorted(json.loads(m.payload)["n"] for m in got) == [0, 1, 2, 3, 4]
    second.ack((m.session, m.mid) for m in got)
    time.sleep(0.3)
    second.stop()
    got.clear()
    third = session()
    time.sleep(0.5)
    third.stop()
    assert got == []


def test_every_command_is_audited_when_sent_and_when_it_times_out(world: dict[str, Any]) -> None:
    from smartcommune.tenants.audit import AuditEntry

    a = world["a"]
    valve_id = world["devices"][a.commune_code][1][0]
    with tenant_transaction(a) as db:
        command = service.send_command(
            db, a, valve_id, CommandIn(name="open_valve", params={"valve": 3, "minutes": 10}, timeout_s=1), **ACTOR
        )
        command_id = command.id
        command.requested_at = service.now() - timedelta(seconds=5)  # nobody answers this valve's request
    with tenant_transaction(a) as db:
        service.expire_commands(db)  # (or the ingester's housekeeping got there first)
    with tenant_transaction(a) as db:
        assert db.get_one(DeviceCommand, command_id).status == "timeout"
        rows = db.execute(
            select(AuditEntry.actor, AuditEntry.action, AuditEntry.after)
            .where(AuditEntry.object_type == "device", AuditEntry.object_id == str(valve_id))
            .order_by(AuditEntry.id)
        ).all()
    trail = [(actor, action) for actor, action, after in rows if (after or {}).get("command_id") == str(command_id)]
    assert trail == [(ACTOR["actor"], "command"), ("system:command-timeout", "command_timeout")]
