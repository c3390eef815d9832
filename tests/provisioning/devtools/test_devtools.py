"""The dev tools `make run` starts: the simulated camera process (MJPEG), the project-owned broker (anonymous
refused, a wrong secret refused, a device's own credentials accepted), and simulated devices whose telemetry
reaches the commune through that broker and the ingester. (DEV_CAMERA_URLS itself is tested in
tests/platform/cameras/test_site_network_approval.py.)"""

from __future__ import annotations

import json
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from sqlalchemy import func, select

from smartcommune.platform.devices import service as devices
from smartcommune.platform.devices.ingest import Ingester
from smartcommune.platform.devices.models import Telemetry
from smartcommune.platform.devices.mqtt import BrokerAddress
from smartcommune.platform.devices.schemas import DeviceIn, ProfileIn
from smartcommune.provisioning.devtools import devices as simulated
from smartcommune.provisioning.devtools.broker import INGEST_USERNAME, DevBroker, mosquitto_binary
from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.session import tenant_transaction

ACTOR = {"actor": "devtools-tests", "actor_kind": "provider"}
needs_mosquitto = pytest.mark.skipif(mosquitto_binary() is None, reason="mosquitto is not installed")


def test_the_dev_camera_process_serves_mjpeg(tmp_path: Path) -> None:
    import subprocess
    import sys

    import httpx

    from smartcommune.provisioning.devtools.broker import free_port

    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "smartcommune.provisioning.devtools.camera", "--port", str(port)])
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                snapshot = httpx.get(f"http://127.0.0.1:{port}/snapshot.jpg", timeout=1)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.1)
        assert snapshot.headers["content-type"] == "image/jpeg" and snapshot.content[:2] == b"\xff\xd8"
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0


def _connect(port: int, username: str | None, password: str | None) -> tuple[mqtt.Client, list[Any]]:
    codes: list[Any] = []
    done = threading.Event()
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"t-{uuid.uuid4().hex[:8]}")
    if username is not None:
        client.username_pw_set(username, password)
    client.on_connect = lambda c, u, f, rc, p: (codes.append(rc), done.set())
    client.connect("127.0.0.1", port)
    client.loop_start()
    done.wait(5)
    return client, codes


@pytest.fixture
def station(communes: tuple[TenantInfo, TenantInfo]) -> tuple[TenantInfo, str, int]:
    tenant = communes[0]
    with tenant_transaction(tenant) as db:
        profile = devices.create_profile(
            db,
            ProfileIn.model_validate(
                {
                    "code": f"kt-{uuid.uuid4().hex[:6]}",
                    "name": "Trạm khí tượng",
                    "fields": [
                        {"name": "temperature", "unit": "°C", "min": -10, "max": 60},
                        {"name": "rain_mm", "unit": "mm", "min": 0, "max": 500},
                    ],
                }
            ),
            **ACTOR,
        )
        uid = f"kt-{uuid.uuid4().hex[:6]}"
        ((device, _secret),) = devices.create_devices(
            db, tenant, [DeviceIn(uid=uid, serial=uid.upper(), name="Trạm khí tượng", profile_id=profile.id)], **ACTOR
        )
        return tenant, uid, device.id


@needs_mosquitto
def test_the_broker_refuses_anonymous_and_accepts_a_devices_own_credentials(
    tmp_path: Path, station: tuple[TenantInfo, str, int]
) -> None:
    tenant, uid, _ = station
    (sim,) = simulated.prepare(tmp_path / "devices.json", [(tenant, [uid])])
    assert oct((tmp_path / "devices.json").stat().st_mode & 0o777) == "0o600"
    with DevBroker(tmp_path / "mqtt") as broker:
        anonymous, codes = _connect(broker.port, None, None)
        assert codes and codes[0].is_failure, codes  # not authorised
        anonymous.loop_stop()
        wrong, codes = _connect(broker.port, sim.username, "not-the-secret")
        assert codes and codes[0].is_failure, codes
        wrong.loop_stop()
        device, codes = _connect(broker.port, sim.username, sim.secret)
        assert codes and not codes[0].is_failure, codes
        device.loop_stop()
        device.disconnect()
    # prepare() again keeps the secret that still matches (no rotation on every start)
    (again,) = simulated.prepare(tmp_path / "devices.json", [(tenant, [uid])])
    assert again.secret == sim.secret


@needs_mosquitto
def test_simulated_devices_publish_through_the_broker_into_the_commune(
    tmp_path: Path, station: tuple[TenantInfo, str, int]
) -> None:
    tenant, uid, device_id = station
    simulated.prepare(tmp_path / "devices.json", [(tenant, [uid])])
    with DevBroker(tmp_path / "mqtt") as broker:
        ingester = Ingester(
            BrokerAddress("127.0.0.1", broker.port, INGEST_USERNAME, broker.ingest_password),
            client_id=f"ingest-{uuid.uuid4().hex[:6]}",
            flush_ms=50,
        ).start()
        stop = threading.Event()
        publisher = threading.Thread(
            target=simulated.run, args=(f"127.0.0.1:{broker.port}", tmp_path / "devices.json", 0.2, stop)
        )
        try:
            assert ingester.connected.wait(5)
            publisher.start()
            deadline = time.monotonic() + 15
            rows = 0
            while time.monotonic() < deadline and rows < 2:
                with tenant_transaction(tenant) as db:
                    rows = int(
                        db.scalar(select(func.count()).select_from(Telemetry).where(Telemetry.device_id == device_id))
                        or 0
                    )
                time.sleep(0.2)
            assert rows >= 2
        finally:
            stop.set()
            publisher.join(5)
            ingester.stop()


def test_readings_stay_inside_the_profile_limits() -> None:
    import random

    fields = [{"name": "temperature", "min": -10, "max": 60}, {"name": "humidity", "min": 0, "max": 100},
              {"name": "rain_mm", "min": 0, "max": 500}]  # fmt: skip
    rng = random.Random(1)
    for t in range(0, 86400, 3600):
        values = simulated.reading(fields, float(t), rng)
        assert set(values) == {"temperature", "humidity", "rain_mm"}
        assert all(f["min"] <= values[f["name"]] <= f["max"] for f in fields)  # type: ignore[operator]
    json.dumps(values)
