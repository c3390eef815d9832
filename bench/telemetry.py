"""Telemetry through a real Mosquitto (started here) into PostgreSQL, and command round trips.

Simulated devices (paho-mqtt, QoS 1) in two communes publish as fast as the broker takes them; the
ingester (`devices.ingest.Ingester`, batches, manual acks) writes them. Reports sustained messages per
second end to end (first publish → last row committed), and the p95 of command round trips
(API service call → MQTT → simulated device → result stored).

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/telemetry.py
    BENCH_MESSAGES=100000 BENCH_DEVICES=50 BENCH_PUBLISHERS=2 (defaults); the bench starts its own Mosquitto

The LAST line is one JSON object.
"""

from __future__ import annotations

import json
import os
import sys
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from _common import bench_database, finish, machine, pct

MESSAGES = int(os.environ.get("BENCH_MESSAGES", "100000"))
DEVICES = int(os.environ.get("BENCH_DEVICES", "50"))
COMMANDS = int(os.environ.get("BENCH_COMMANDS", "100"))
PUBLISHER_PROCESSES = int(os.environ.get("BENCH_PUBLISHERS", "2"))


def start_broker() -> tuple[Any, int]:
    """Our own Mosquitto (anonymous, loopback) with no queue cap, so nothing is dropped under burst:
    Mosquitto's default `max_queued_messages 1000` drops QoS 1 messages beyond it for a slow subscriber."""
    import getpass
    import socket
    import subprocess
    import tempfile

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    root = Path(tempfile.mkdtemp(prefix="bench-mqtt-"))
    (root / "m.conf").write_text(
        f"listener {port} 127.0.0.1\nallow_anonymous true\nuser {getpass.getuser()}\n"
        "max_queued_messages 0\nmax_inflight_messages 0\n"
    )
    proc = subprocess.Popen(["mosquitto", "-c", str(root / "m.conf")], stderr=subprocess.DEVNULL)
    time.sleep(0.5)
    return proc, port


def publish_many(args: tuple[str, int, list[tuple[int, str]], int]) -> None:
    """In a separate process: devices publish at QoS 1 as fast as the broker takes them."""
    import paho.mqtt.client as mqtt

    host, port, devices, per_device = args
    clients = []
    for code, uid in devices:
        c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"bench-{code}-{uid}-{uuid.uuid4().hex[:4]}")
        c.max_inflight_messages_set(200)
        c.connect(host, port)
        c.loop_start()
        clients.append((c, f"t/{code}/d/{uid}/telemetry"))
    last = []
    for i in range(per_device):
        for c, topic in clients:
            info = c.publish(topic, json.dumps({"soil_moisture": i % 100, "temp": 25.5}), qos=1)
            if i == per_device - 1:
                last.append(info)
    for info in last:
        info.wait_for_publish(300)
    for c, _ in clients:
        c.loop_stop()
        c.disconnect()


def main() -> None:
    with bench_database():
        import paho.mqtt.client as mqtt
        from sqlalchemy import func, select

        from smartcommune.platform.devices import service
        from smartcommune.platform.devices.ingest import Ingester
        from smartcommune.platform.devices.models import DeviceCommand, Telemetry
        from smartcommune.platform.devices.mqtt import Publisher, broker_address, set_publisher
        from smartcommune.platform.devices.schemas import CommandIn, DeviceIn, ProfileIn
        from smartcommune.tenants.database import owner_engine
        from smartcommune.tenants.registry import create_commune
        from smartcommune.tenants.session import tenant_transaction

        actor = {"actor": "bench", "actor_kind": "provider"}
        tenants = [create_commune(owner_engine(), c).tenant for c in (19597, 16012)]
        devices: list[tuple[Any, int, str]] = []
        for tenant in tenants:
            with tenant_transaction(tenant) as db:
                profile = service.create_profile(
                    db,
                    ProfileIn.model_validate(
                        {
                            "code": "sensor",
                            "name": "Cảm biến",
                            "fields": [
                                {"name": "soil_moisture", "min": 0, "max": 100},
                                {"name": "temp", "min": -20, "max": 60},
                            ],
                            "commands": [{"name": "open_valve", "params": {"minutes": {"min": 1, "max": 60}}}],
                        }
                    ),
                    **actor,
                )
                items = [
                    DeviceIn(uid=f"d{i}", serial=f"S{i}", name=f"D{i}", profile_id=profile.id)
                    for i in range(DEVICES // 2)
                ]
                for device, _ in service.create_devices(db, tenant, items, **actor):
                    devices.append((tenant, device.id, device.uid))
        proc, port = start_broker()
        address = broker_address(f"mqtt://127.0.0.1:{port}")
        ingester = Ingester(
            address, client_id=f"bench-ingest-{uuid.uuid4().hex[:6]}", batch_size=2000, flush_ms=100
        ).start()
        set_publisher(Publisher(address))
        assert ingester.connected.wait(5)

        per_device = MESSAGES // len(devices)
        total = per_device * len(devices)

        def stored() -> int:
            n = 0
            for tenant in tenants:
                with tenant_transaction(tenant) as db:
                    n += int(db.scalar(select(func.count()).select_from(Telemetry)) or 0)
            return n

        t0 = time.monotonic()
        from concurrent.futures import ProcessPoolExecutor

        chunks = [
            [(t.commune_code, uid) for t, _, uid in devices[i::PUBLISHER_PROCESSES]] for i in range(PUBLISHER_PROCESSES)
        ]
        with ProcessPoolExecutor(PUBLISHER_PROCESSES) as pool:
            list(pool.map(publish_many, [(address.host, address.port, c, per_device) for c in chunks]))
        published_s = time.monotonic() - t0
        while stored() < total and time.monotonic() - t0 < float(os.environ.get("BENCH_WAIT_S", "600")):
            time.sleep(0.2)
        elapsed = time.monotonic() - t0
        count = stored()
        print(
            f"{count}/{total} messages stored in {elapsed:.1f} s (published in {published_s:.1f} s)",
            dict(ingester.counters),
        )

        # Command round trips: one simulated device answers every request.
        tenant, device_id, uid = devices[0]
        responder = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"bench-valve-{uuid.uuid4().hex[:4]}")

        def answer(c: mqtt.Client, u: Any, msg: mqtt.MQTTMessage) -> None:
            req = json.loads(msg.payload)
            c.publish(f"t/{tenant.commune_code}/d/{uid}/rpc/res/{req['id']}", json.dumps({"ok": True}), qos=1)

        responder.on_message = answer
        responder.connect(address.host, address.port)
        responder.subscribe(f"t/{tenant.commune_code}/d/{uid}/rpc/req/+", qos=1)
        responder.loop_start()
        time.sleep(0.5)
        rtts: list[float] = []
        for _ in range(COMMANDS):
            start = time.monotonic()
            with tenant_transaction(tenant) as db:
                cid = service.send_command(
                    db, tenant, device_id, CommandIn(name="open_valve", params={"minutes": 5}), **actor
                ).id
            while time.monotonic() - start < 10:
                with tenant_transaction(tenant) as db:
                    if db.scalar(select(DeviceCommand.status).where(DeviceCommand.id == cid)) == "succeeded":
                        break
                time.sleep(0.005)
            rtts.append((time.monotonic() - start) * 1000)
        responder.loop_stop()
        responder.disconnect()
        ingester.stop()
        set_publisher(None)
        proc.terminate()
        figures = {
            "messages": total,
            "publisher_processes": PUBLISHER_PROCESSES,
            "stored": count,
            "devices": len(devices),
            "communes": len(tenants),
            "sustained_msg_per_s": round(count / elapsed),
            "publish_only_msg_per_s": round(total / published_s),
            "end_to_end_s": round(elapsed, 2),
            "dead_letters": ingester.counters["dead_letters"],
            "batch_errors": ingester.counters["batch_errors"],
            "command_rtt_p50_ms": round(pct(rtts, 50), 1),
            "command_rtt_p95_ms": round(pct(rtts, 95), 1),
            "commands": COMMANDS,
            "machine": machine(),
        }
        finish("telemetry", figures)


if __name__ == "__main__":
    main()
