"""Simulated devices for `make run`: the demo's weather stations publish telemetry through the project's
broker with their own MQTT credentials, as a real device in the field does.

`prepare()` (in the `make run` process) makes sure each demo device has a secret the simulator knows: one
kept in the data folder (0600) that still matches the device's hash in `control.device_index`, else new
credentials issued through the devices service (the same rotation an admin does). Devices someone added in
the admin console are never touched. `python -m smartcommune.provisioning.devtools.devices --broker
host:port --credentials FILE` then publishes a reading per device every `--interval` seconds.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import signal
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from smartcommune.platform.devices import credentials as creds
from smartcommune.platform.devices import service as devices
from smartcommune.platform.devices.models import Device, DeviceProfile
from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.control.models import DeviceIndex
from smartcommune.tenants.database import app_engine
from smartcommune.tenants.session import tenant_transaction

ACTOR = "dev-simulator"


@dataclass(frozen=True)
class SimulatedDevice:
    username: str
    secret: str
    topic: str
    fields: list[dict[str, Any]]


def prepare(path: Path, tenants: list[tuple[TenantInfo, list[str]]]) -> list[SimulatedDevice]:
    """Credentials for the listed devices (tenant, device uids), written to `path`."""
    known: dict[str, str] = {}
    if path.exists():
        known = {d["username"]: d["secret"] for d in json.loads(path.read_text())}
    with app_engine().connect() as conn:
        hashes = dict(conn.execute(select(DeviceIndex.username, DeviceIndex.password_hash)).all())
    out: list[SimulatedDevice] = []
    for tenant, uids in tenants:
        with tenant_transaction(tenant) as db:
            rows = db.execute(select(Device, DeviceProfile).join(DeviceProfile).where(Device.uid.in_(uids))).all()
            for device, profile in rows:
                secret = known.get(device.mqtt_username, "")
                if not secret or not creds.verify_secret(secret, hashes.get(device.mqtt_username, "")):
                    _, secret = devices.rotate_credentials(db, tenant, device.id, actor=ACTOR, actor_kind="provider")
                root = creds.topic_root(tenant.commune_code, device.uid)
                out.append(SimulatedDevice(device.mqtt_username, secret, f"{root}/telemetry", list(profile.fields)))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps([asdict(d) for d in out]))
    path.chmod(0o600)
    return out


def reading(fields: list[dict[str, Any]], t: float, rng: random.Random) -> dict[str, float]:
    """Plausible values: a daily wave inside the field's limits (rain mostly zero)."""
    values: dict[str, float] = {}
    for f in fields:
        low = float(f["min"]) if f.get("min") is not None else 0.0
        high = float(f["max"]) if f.get("max") is not None else 100.0
        name = str(f["name"])
        if "rain" in name:
            value = 0.0 if rng.random() < 0.8 else rng.uniform(0.2, 6.0)
        else:
            span = high - low
            wave = math.sin(2 * math.pi * ((t / 86400.0) % 1.0))
            centre = low + span * (0.45 if "temp" in name else 0.6)
            value = centre + span * 0.08 * wave + rng.uniform(-0.01, 0.01) * span
        values[name] = round(min(high, max(low, value)), 2)
    return values


def run(broker: str, credentials: Path, interval_s: float, stop: threading.Event) -> None:
    import paho.mqtt.client as mqtt

    host, _, port = broker.rpartition(":")
    sims = [SimulatedDevice(**d) for d in json.loads(credentials.read_text())]
    rng = random.Random(7)
    clients = []
    for sim in sims:
        client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"sim-{sim.username}")
        client.username_pw_set(sim.username, sim.secret)
        client.reconnect_delay_set(min_delay=1, max_delay=5)
        client.connect_async(host or "127.0.0.1", int(port))
        client.loop_start()
        clients.append((sim, client))
    print(f"simulated devices: {len(sims)} publishing to {broker} every {interval_s:g} s", flush=True)
    try:
        while not stop.is_set():
            now = time.time()
            for sim, client in clients:
                if client.is_connected():
                    client.publish(sim.topic, json.dumps({"ts": round(now), **reading(sim.fields, now, rng)}), qos=1)
            stop.wait(interval_s)
    finally:
        for _, client in clients:
            client.loop_stop()
            client.disconnect()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--broker", required=True, help="host:port")
    parser.add_argument("--credentials", type=Path, required=True)
    parser.add_argument("--interval", type=float, default=10.0)
    args = parser.parse_args(argv)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    run(args.broker, args.credentials, args.interval, stop)


if __name__ == "__main__":
    main()
