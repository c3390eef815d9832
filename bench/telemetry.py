"""Telemetry through a real Mosquitto (started here) into PostgreSQL, and command round trips.

Simulated devices (MQTT 3.1.1 on plain sockets, QoS 1, packets built before the start so the publisher
costs next to nothing) in two communes publish as fast as the broker takes them; the ingester
(`devices.ingest.Ingester`, batches) writes them. Reports sustained messages per
second end to end (first publish → last row committed), and the p95 of command round trips
(API service call → MQTT → simulated device → result stored).

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/telemetry.py
    BENCH_MESSAGES=100000 BENCH_DEVICES=50 BENCH_PUBLISHERS=2 (defaults); the bench starts its own Mosquitto

The LAST line is one JSON object.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import struct
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from _common import bench_database, finish, machine, pct

MESSAGES = int(os.environ.get("BENCH_MESSAGES", "100000"))
DEVICES = int(os.environ.get("BENCH_DEVICES", "50"))
COMMANDS = int(os.environ.get("BENCH_COMMANDS", "100"))
PUBLISHER_PROCESSES = int(os.environ.get("BENCH_PUBLISHERS", "2"))
SHARED_INGESTERS = int(os.environ.get("BENCH_SHARED_INGESTERS", "2"))


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


def _mqtt_string(text: str) -> bytes:
    data = text.encode()
    return struct.pack("!H", len(data)) + data


def _mqtt_packet(first: int, body: bytes) -> bytes:
    size, digits = len(body), bytearray()
    while True:
        size, digit = divmod(size, 128)
        digits.append(digit | (0x80 if size else 0))
        if not size:
            return bytes([first]) + bytes(digits) + body


def _raw_device(host: str, port: int, client_id: str) -> socket.socket:
    """An MQTT 3.1.1 device connection (clean session) on a plain socket."""
    sock = socket.create_connection((host, port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    body = _mqtt_string("MQTT") + bytes([4, 0x02]) + struct.pack("!H", 60) + _mqtt_string(client_id)
    sock.sendall(_mqtt_packet(0x10, body))
    connack = sock.recv(4)
    assert connack[:2] == b"\x20\x02" and connack[3] == 0, connack
    return sock


@dataclass
class DeviceStream:
    sock: socket.socket
    blocks: list[bytes]  # PUBLISH packets, `CHUNK` to a block
    acked_bytes: int = 0  # PUBACKs are 4 bytes each

    def read_acks(self, wait: bool) -> None:
        self.sock.setblocking(wait)
        with contextlib.suppress(BlockingIOError):
            self.acked_bytes += len(self.sock.recv(1 << 20))
        self.sock.setblocking(True)


CHUNK = 1000


def publish_many(args: tuple[str, int, list[tuple[int, str]], int, float]) -> float:
    """In a separate process: devices publish at QoS 1 as fast as the broker takes them.

    A cheap publisher so the bench measures the pipeline, not the publisher: one socket per device, every
    PUBLISH packet built before the start (ids cycling under 65,535, at most 30,000 unacknowledged per
    device), sent in blocks of 1,000, PUBACKs counted. Waits until `start_at` (wall clock) so every
    process starts together; returns the wall-clock time its last PUBACK arrived."""
    host, port, devices, per_device, start_at = args
    payloads = [json.dumps({"soil_moisture": v, "temp": 25.5}).encode() for v in range(100)]
    streams = []
    for code, uid in devices:
        sock = _raw_device(host, port, f"bench-{code}-{uid}-{uuid.uuid4().hex[:4]}")
        topic = _mqtt_string(f"t/{code}/d/{uid}/telemetry")
        packets = [
            _mqtt_packet(0x32, topic + struct.pack("!H", i % 65_535 + 1) + payloads[i % 100]) for i in range(per_device)
        ]
        streams.append(DeviceStream(sock, [b"".join(packets[i : i + CHUNK]) for i in range(0, per_device, CHUNK)]))
    time.sleep(max(0.0, start_at - time.time()))
    for r in range(max(len(s.blocks) for s in streams)):
        for stream in streams:
            if r < len(stream.blocks):
                while r * CHUNK - stream.acked_bytes // 4 > 30_000:
                    stream.read_acks(wait=True)
                stream.sock.sendall(stream.blocks[r])
                stream.read_acks(wait=False)
    for stream in streams:
        while stream.acked_bytes < 4 * per_device:
            stream.read_acks(wait=True)
    done = time.time()
    for stream in streams:
        stream.sock.sendall(b"\xe0\x00")  # DISCONNECT
        stream.sock.close()
    return done


def run_shared_ingester(host: str, port: int, index: int, ready: Any, stop: Any) -> None:
    """A separate (spawned) process: one member of the `$share/ingest/...` group."""
    from smartcommune.platform.devices.ingest import Ingester
    from smartcommune.platform.devices.mqtt import broker_address

    ingester = Ingester(
        broker_address(f"mqtt://{host}:{port}"),
        client_id=f"bench-shared-{index}",
        shared_group="ingest",
        batch_size=5000,
        flush_ms=100,
    ).start()
    ingester.connected.wait(10)
    ready.set()
    stop.wait(900)
    ingester.stop()


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

        from concurrent.futures import ProcessPoolExecutor

        chunks = [
            [(t.commune_code, uid) for t, _, uid in devices[i::PUBLISHER_PROCESSES]] for i in range(PUBLISHER_PROCESSES)
        ]
        start_at = time.time() + 2.0  # every publisher connected and waiting
        with ProcessPoolExecutor(PUBLISHER_PROCESSES) as pool:
            futures = [pool.submit(publish_many, (address.host, address.port, c, per_device, start_at)) for c in chunks]
            # Poll the ingester's committed count (cheap, in-process) while publishers run.
            while ingester.counters["stored"] < total and time.time() - start_at < float(
                os.environ.get("BENCH_WAIT_S", "600")
            ):
                time.sleep(0.01)
            stored_at = time.time()
            published_s = max(f.result() for f in futures) - start_at
        elapsed = stored_at - start_at
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

        # Drain: the same backlog queued in the ingester's persistent session while it is away, then one
        # ingester alone on the machine's cores (no publisher competing for CPU): its own capacity.
        before = stored()
        drain_at = time.time() + 2.0
        with ProcessPoolExecutor(PUBLISHER_PROCESSES) as pool:
            list(pool.map(publish_many, [(address.host, address.port, c, per_device, drain_at) for c in chunks]))
        drainer = Ingester(address, client_id=ingester.client_id, batch_size=5000, flush_ms=100)
        t_drain = time.time()
        drainer.start()
        while drainer.counters["stored"] < total and time.time() - t_drain < float(
            os.environ.get("BENCH_WAIT_S", "600")
        ):
            time.sleep(0.01)
        drain_s = time.time() - t_drain
        drainer.stop()
        drained = stored() - before
        print(f"drain: {drained} stored in {drain_s:.1f} s", dict(drainer.counters))

        # Scale-out: N ingester processes on one MQTT v5 shared subscription, publishers running.
        shared_s = 0.0
        shared_stored = 0
        if SHARED_INGESTERS:
            import multiprocessing

            spawn = multiprocessing.get_context("spawn")
            stop = spawn.Event()
            members = []
            for i in range(SHARED_INGESTERS):
                ready = spawn.Event()
                member = spawn.Process(target=run_shared_ingester, args=(address.host, address.port, i, ready, stop))
                member.start()
                members.append((member, ready))
            for _, ready in members:
                assert ready.wait(60)
            before = stored()
            shared_at = time.time() + 2.0
            with ProcessPoolExecutor(PUBLISHER_PROCESSES) as pool:
                futures = [
                    pool.submit(publish_many, (address.host, address.port, c, per_device, shared_at)) for c in chunks
                ]
                while stored() - before < total and time.time() - shared_at < float(
                    os.environ.get("BENCH_WAIT_S", "600")
                ):
                    time.sleep(0.1)
                shared_s = time.time() - shared_at
                [f.result() for f in futures]
            shared_stored = stored() - before
            stop.set()
            for member, _ in members:
                member.join(30)
            print(f"shared x{SHARED_INGESTERS}: {shared_stored} stored in {shared_s:.1f} s")
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
            "drain_stored": drained,
            "drain_msg_per_s": round(drained / drain_s),
            "ingesters": 1,
            "shared_ingesters": SHARED_INGESTERS,
            "shared_stored": shared_stored,
            "shared_msg_per_s": round(shared_stored / shared_s) if shared_s else 0,
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
