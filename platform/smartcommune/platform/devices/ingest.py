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
- Scale-out: `MQTT_INGEST_SHARED_GROUP=ingest` makes every ingester an MQTT v5 client subscribed to
  `$share/ingest/t/+/d/+/telemetry` (and the results), so the broker spreads messages over N replicas.
  Each replica keeps its own persistent session (client id suffixed with the host name / pod name,
  session expiry `MQTT_INGEST_SESSION_EXPIRY_S`, default 1 day), so QoS 1 holds per replica.
- Health: `/healthz`, `/readyz` (broker connected, database reachable) and `/metrics` on `HEALTH_PORT`
  (9000), see `operations.health`.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
import uuid
from collections import Counter, defaultdict, deque
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import paho.mqtt.client as mqtt
import structlog
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from prometheus_client import Histogram
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
POLL_S = 0.005
IDLE_POLL_S = 0.02
MAX_PENDING = 100_000
METRIC_HELP = {
    "received": "MQTT messages received",
    "stored": "Telemetry rows committed (messages ingested)",
    "dead_letters": "Messages kept in a dead-letter table",
    "batch_errors": "Batches that failed and were retried",
    "batches": "Batches committed",
}


@dataclass(slots=True)
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
        shared_group: str | None = None,
        session_expiry_s: int = 86_400,
    ) -> None:
        settings = get_settings()
        self.manual_ack = settings.mqtt_ingest_ack_after_commit if ack_after_commit is None else ack_after_commit
        self.address = address or broker_address()
        self.batch_size = batch_size or settings.mqtt_ingest_batch
        self.flush_s = (flush_ms or settings.mqtt_ingest_flush_ms) / 1000
        self.pending: deque[Incoming] = deque()
        self.counters: Counter[str] = Counter()
        self.directory = Directory()
        self.connected = threading.Event()
        self._stop = threading.Event()
        self.shared_group = shared_group
        self.heartbeat = time.monotonic()
        self.batch_latency = Histogram(
            "smartcommune_ingest_batch_seconds",
            "Time to validate and commit one batch",
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
            registry=None,
        )
        self._connect_properties: Properties | None = None
        if shared_group:
            # MQTT v5: several replicas share one subscription; each keeps its own persistent session.
            self.client = mqtt.Client(
                mqtt.CallbackAPIVersion.VERSION2,
                client_id=client_id,
                protocol=mqtt.MQTTv5,
                manual_ack=self.manual_ack,
            )
            if self.address.username:
                self.client.username_pw_set(self.address.username, self.address.password)
            self.client.reconnect_delay_set(min_delay=1, max_delay=5)
            self._connect_properties = Properties(PacketTypes.CONNECT)
            self._connect_properties.SessionExpiryInterval = session_expiry_s
        else:
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
        client.subscribe([(self.topic(TELEMETRY), 1), (self.topic(RPC_RESULTS), 1)])
        self.counters["connects"] += 1
        self.connected.set()
        log.info("mqtt_ingest_connected", host=self.address.host, port=self.address.port)

    def _on_disconnect(self, client: mqtt.Client, userdata: Any, flags: Any, reason: Any, props: Any = None) -> None:
        self.connected.clear()
        self.counters["disconnects"] += 1
        log.warning("mqtt_ingest_disconnected", reason=str(reason))

    def _on_message(self, client: mqtt.Client, userdata: Any, msg: mqtt.MQTTMessage) -> None:
        self.counters["received"] += 1
        while len(self.pending) >= MAX_PENDING and not self._stop.is_set():
            time.sleep(0.01)  # the database is behind: stop reading, TCP pushes back to the broker
        self.pending.append(Incoming(msg.topic, bytes(msg.payload), msg.mid, msg.qos, datetime.now(UTC)))

    def topic(self, pattern: str) -> str:
        return f"$share/{self.shared_group}/{pattern}" if self.shared_group else pattern

    # -- health --
    def alive(self) -> bool:
        """The writer thread keeps turning (it wakes every 20 ms when idle; a batch stuck for 60 s is not alive)."""
        return self._worker.is_alive() and time.monotonic() - self.heartbeat < 60

    def metrics(self) -> Any:
        from smartcommune.platform.operations.health import CallbackCollector

        return CallbackCollector(
            "smartcommune_ingest",
            lambda: {name: 0 for name in METRIC_HELP} | dict(self.counters),
            lambda: {"queue_depth": len(self.pending), "broker_connected": int(self.connected.is_set())},
            extra=[self.batch_latency],
            help_text=METRIC_HELP,
        )

    def health_server(self, port: int | None = None, host: str | None = None) -> Any:
        from smartcommune.platform.operations.health import HealthServer, database_ready

        return HealthServer(
            live=self.alive,
            ready={"broker": self.connected.is_set, "database": database_ready},
            collectors=[self.metrics()],
            port=port,
            host=host,
        )

    # -- lifecycle --
    def start(self) -> Ingester:
        self.client.connect_async(
            self.address.host,
            self.address.port,
            keepalive=10,
            clean_start=False if self.shared_group else mqtt.MQTT_CLEAN_START_FIRST_ONLY,
            properties=self._connect_properties,
        )
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
    def _take(self, limit: int) -> list[Incoming]:
        taken: list[Incoming] = []
        pending = self.pending
        try:
            while len(taken) < limit:
                taken.append(pending.popleft())
        except IndexError:
            pass
        return taken

    def _run(self) -> None:
        """Collect up to `batch_size` messages or `flush_ms` after the first one, then write them.

        The network thread appends to a deque (atomic, no lock, no wake-up per message); this thread
        polls it every few milliseconds, which costs far less than a Condition notify per message."""
        while not self._stop.is_set() or self.pending:
            self.heartbeat = time.monotonic()
            if not self.pending:
                self._housekeeping()
                time.sleep(IDLE_POLL_S)
                continue
            deadline = time.monotonic() + self.flush_s
            batch = self._take(self.batch_size)
            while len(batch) < self.batch_size and time.monotonic() < deadline and not self._stop.is_set():
                time.sleep(POLL_S)
                batch += self._take(self.batch_size - len(batch))
            try:
                started = time.perf_counter()
                self.process(batch)
                self.batch_latency.observe(time.perf_counter() - started)
                self.counters["batches"] += 1
                if self.manual_ack:
                    for item in batch:
                        if item.qos > 0:
                            self.client.ack(item.mid, item.qos)
            except Exception:
                # Put back for another try (with manual acks the broker would also redeliver on reconnect).
                self.counters["batch_errors"] += 1
                log.exception("mqtt_ingest_batch_failed", size=len(batch))
                time.sleep(0.5)
                self.pending.extendleft(reversed(batch))
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
    group = os.environ.get("MQTT_INGEST_SHARED_GROUP") or None
    client_id = os.environ.get("MQTT_INGEST_CLIENT_ID", "smartcommune-ingest")
    if group:  # one persistent session per replica (the pod name is stable in a StatefulSet, unique anyway)
        client_id = f"{client_id}-{os.environ.get('HOSTNAME') or socket.gethostname()}"
    ingester = Ingester(
        client_id=client_id,
        shared_group=group,
        session_expiry_s=int(os.environ.get("MQTT_INGEST_SESSION_EXPIRY_S", "86400")),
    )
    health = ingester.health_server().start()
    try:
        ingester.run_forever()
    finally:
        health.stop()
