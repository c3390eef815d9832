"""`smartcommune mqtt-ingest`: telemetry from `t/+/d/+/telemetry` into the right commune schema, in batches.

- Persistent session (`clean_session=False`, fixed client id) at QoS 1: a broker restart loses nothing
  (the broker keeps the session's messages; the ingester reconnects and receives them). By default a
  message is acknowledged on receipt and batched in memory (an ingester crash can lose one unwritten
  batch). `MQTT_INGEST_ACK_AFTER_COMMIT=true` acknowledges only after the batch committed (at-least-once
  even across ingester crashes), but then throughput is bounded by the broker's in-flight window
  (Mosquitto's `max_inflight_messages`, 20 by default): raise it on the broker when you turn this on.
- Routing: the topic names the commune code and the device uid; the broker's ACL already bound the
  publishing identity to exactly that topic tree. Unknown communes/devices are counted and dropped.
- Validation against the device's profile; anything malformed or out of range goes to the commune's
  dead-letter table. No message can crash the loop: every batch is wrapped, failures are counted.
- After each batch: threshold rules for the devices seen; command results from `rpc/res/{id}`.
"""

from __future__ import annotations

import json
import queue
import threading
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import paho.mqtt.client as mqtt
import structlog
from sqlalchemy import select

from smartcommune.platform.devices import service
from smartcommune.platform.devices.models import Device, DeviceProfile
from smartcommune.platform.devices.mqtt import BrokerAddress, broker_address, new_client
from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.database import app_engine
from smartcommune.tenants.errors import NotFound
from smartcommune.tenants.registry import get_commune, info_from_row
from smartcommune.tenants.session import tenant_transaction
from smartcommune.tenants.settings import get_settings

log = structlog.stdlib.get_logger(__name__)
TELEMETRY = "t/+/d/+/telemetry"
RPC_RESULTS = "t/+/d/+/rpc/res/+"


@dataclass
class Incoming:
    topic: str
    payload: bytes
    mid: int
    qos: int
    received_at: datetime


@dataclass
class DeviceInfo:
    id: int
    fields: list[dict[str, Any]]


class Directory:
    """Commune and device lookups with a short TTL: no catalog query per message."""

    def __init__(self, ttl_s: float = 30.0) -> None:
        self.ttl_s = ttl_s
        self._tenants: dict[int, tuple[float, TenantInfo | None]] = {}
        self._devices: dict[int, tuple[float, dict[str, DeviceInfo]]] = {}

    def tenant(self, code: int) -> TenantInfo | None:
        hit = self._tenants.get(code)
        if hit and time.monotonic() - hit[0] < self.ttl_s:
            return hit[1]
        try:
            row = get_commune(app_engine(), code)
            info: TenantInfo | None = info_from_row(row) if row.status == "active" else None
        except NotFound:
            info = None
        self._tenants[code] = (time.monotonic(), info)
        return info

    def devices(self, tenant: TenantInfo, *, refresh: bool = False) -> dict[str, DeviceInfo]:
        hit = self._devices.get(tenant.commune_code)
        if hit and not refresh and time.monotonic() - hit[0] < self.ttl_s:
            return hit[1]
        with tenant_transaction(tenant) as db:
            rows = db.execute(select(Device.uid, Device.id, DeviceProfile.fields).join(DeviceProfile)).all()
        found = {uid: DeviceInfo(did, fields) for uid, did, fields in rows}
        self._devices[tenant.commune_code] = (time.monotonic(), found)
        return found

    def device(self, tenant: TenantInfo, uid: str) -> DeviceInfo | None:
        found = self.devices(tenant).get(uid)
        if found is None:  # added since the last refresh?
            hit = self._devices.get(tenant.commune_code)
            if hit and time.monotonic() - hit[0] > 1.0:
                found = self.devices(tenant, refresh=True).get(uid)
        return found


class Ingester:
    def __init__(
        self,
        address: BrokerAddress | None = None,
        *,
        client_id: str = "smartcommune-ingest",
        batch_size: int | None = None,
        flush_ms: int | None = None,
        ack_after_commit: bool | None = None,
    ) -> None:
        settings = get_settings()
        self.manual_ack = settings.mqtt_ingest_ack_after_commit if ack_after_commit is None else ack_after_commit
        self.address = address or broker_address()
        self.batch_size = batch_size or settings.mqtt_ingest_batch
        self.flush_s = (flush_ms or settings.mqtt_ingest_flush_ms) / 1000
        self.queue: queue.Queue[Incoming] = queue.Queue(maxsize=100_000)
        self.counters: Counter[str] = Counter()
        self.directory = Directory()
        self.connected = threading.Event()
        self._stop = threading.Event()
        self.client = new_client(client_id, self.address, clean_session=False, manual_ack=self.manual_ack)
        self.client.max_inflight_messages_set(1000)
        self.client.max_queued_messages_set(0)
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_message = self._on_message
        self._worker = threading.Thread(target=self._run, name="mqtt-ingest-writer", daemon=True)
        self._last_expiry = 0.0

    # -- MQTT callbacks (network thread) --
    def _on_connect(self, client: mqtt.Client, userdata: Any, flags: Any, reason: Any, props: Any = None) -> None:
        if getattr(reason, "is_failure", False):
            log.warning("mqtt_ingest_connect_refused", reason=str(reason))
            return
        client.subscribe([(TELEMETRY, 1), (RPC_RESULTS, 1)])
        self.counters["connects"] += 1
        self.connected.set()
        log.info("mqtt_ingest_connected", host=self.address.host, port=self.address.port)

    def _on_disconnect(self, client: mqtt.Client, userdata: Any, flags: Any, reason: Any, props: Any = None) -> None:
        self.connected.clear()
        self.counters["disconnects"] += 1
        log.warning("mqtt_ingest_disconnected", reason=str(reason))

    def _on_message(self, client: mqtt.Client, userdata: Any, msg: mqtt.MQTTMessage) -> None:
        self.counters["received"] += 1
        self.queue.put(Incoming(msg.topic, bytes(msg.payload), msg.mid, msg.qos, datetime.now(UTC)))

    # -- lifecycle --
    def start(self) -> Ingester:
        self.client.connect_async(self.address.host, self.address.port, keepalive=10)
        self.client.loop_start()
        self._worker.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._worker.join(timeout=10)
        self.client.loop_stop()
        self.client.disconnect()

    def run_forever(self) -> None:
        self.start()
        try:
            while not self._stop.is_set():
                time.sleep(1)
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()

    # -- writer thread --
    def _run(self) -> None:
        while not self._stop.is_set() or not self.queue.empty():
            batch: list[Incoming] = []
            try:
                batch.append(self.queue.get(timeout=0.2))
            except queue.Empty:
                self._housekeeping()
                continue
            deadline = time.monotonic() + self.flush_s
            while len(batch) < self.batch_size:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                try:
                    batch.append(self.queue.get(timeout=remaining))
                except queue.Empty:
                    break
            try:
                self.process(batch)
                if self.manual_ack:
                    for item in batch:
                        if item.qos > 0:
                            self.client.ack(item.mid, item.qos)
            except Exception:
                # Put back for another try (with manual acks the broker would also redeliver on reconnect).
                self.counters["batch_errors"] += 1
                log.exception("mqtt_ingest_batch_failed", size=len(batch))
                time.sleep(0.5)
                for item in batch:
                    self.queue.put(item)
            self._housekeeping()

    def _housekeeping(self) -> None:
        if time.monotonic() - self._last_expiry < 5:
            return
        self._last_expiry = time.monotonic()
        for code, (_, tenant) in list(self.directory._tenants.items()):
            if tenant is None:
                continue
            try:
                with tenant_transaction(tenant) as db:
                    self.counters["commands_timed_out"] += service.expire_commands(db)
            except Exception:
                log.exception("command_expiry_failed", commune=code)

    def process(self, batch: list[Incoming]) -> None:
        """Group by commune; per commune one transaction: telemetry rows, dead letters, results, rules."""
        by_commune: dict[int, list[tuple[str, str, Incoming]]] = defaultdict(list)
        for item in batch:
            parts = item.topic.split("/")
            if len(parts) < 5 or parts[0] != "t" or parts[2] != "d" or not parts[1].isdigit():
                self.counters["bad_topic"] += 1
                continue
            by_commune[int(parts[1])].append((parts[3], "/".join(parts[4:]), item))
        for code, items in by_commune.items():
            tenant = self.directory.tenant(code)
            if tenant is None:
                self.counters["unknown_commune"] += len(items)
                continue
            self._process_commune(tenant, items)

    def _process_commune(self, tenant: TenantInfo, items: list[tuple[str, str, Incoming]]) -> None:
        rows: list[dict[str, Any]] = []
        dead: list[dict[str, Any]] = []
        results: list[tuple[uuid.UUID, str, Any]] = []
        samples: list[tuple[int, datetime, dict[str, float]]] = []
        for uid, kind, item in items:
            device = self.directory.device(tenant, uid)
            text = item.payload.decode("utf-8", "replace")
            if device is None:
                self.counters["unknown_device"] += 1
                dead.append(
                    {
                        "device_uid": uid[:64],
                        "topic": item.topic[:300],
                        "payload": text[:4000],
                        "reason": "unknown_device",
                        "detail": None,
                    }
                )
                continue
            try:
                payload = json.loads(text)
            except ValueError:
                self.counters["malformed"] += 1
                dead.append(
                    {
                        "device_uid": uid,
                        "topic": item.topic[:300],
                        "payload": text[:4000],
                        "reason": "malformed_json",
                        "detail": None,
                    }
                )
                continue
            if kind.startswith("rpc/res/"):
                try:
                    results.append((uuid.UUID(kind.rsplit("/", 1)[1]), uid, payload))
                except ValueError:
                    self.counters["bad_correlation_id"] += 1
                continue
            if kind != "telemetry":
                continue
            try:
                ts, values = service.validate(device.fields, payload)
            except service.Rejected as e:
                self.counters[e.reason] += 1
                dead.append(
                    {
                        "device_uid": uid,
                        "topic": item.topic[:300],
                        "payload": text[:4000],
                        "reason": e.reason,
                        "detail": e.detail[:300] or None,
                    }
                )
                continue
            at = ts or item.received_at
            rows.append({"device_id": device.id, "ts": at, "data": values})
            samples.append((device.id, at, values))
        with tenant_transaction(tenant) as db:
            service.store_batch(db, rows, dead)
            for command_id, uid, payload in results:
                if service.record_result(db, command_id, uid, payload):
                    self.counters["command_results"] += 1
            if samples:
                self.counters["rules_fired"] += service.evaluate_thresholds(db, tenant, samples)
        self.counters["stored"] += len(rows)
        self.counters["dead_letters"] += len(dead)


def main() -> None:
    from smartcommune.platform.observability.logging import configure_logging

    configure_logging()
    Ingester().run_forever()
