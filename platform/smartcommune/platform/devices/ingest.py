"""`smartcommune mqtt-ingest`: telemetry from `t/+/d/+/telemetry` into the right commune schema, in batches.

- Transport: `devices.wire.Subscriber`, a lean MQTT v5 client (paho's receive path cost more per message
  than validating and storing it). Persistent session (clean start off, fixed client id, session
  expiry `MQTT_INGEST_SESSION_EXPIRY_S`) at QoS 1: a broker restart loses nothing (the broker keeps the
  session's messages; the ingester reconnects and receives them). By default a message is acknowledged
  on receipt and batched in memory (an ingester crash can lose one unwritten batch).
  `MQTT_INGEST_ACK_AFTER_COMMIT=true` acknowledges only after the batch committed (at-least-once even
  across ingester crashes); the client's Receive Maximum (65,535) keeps the broker's in-flight window
  from bounding throughput then.
- Routing: the topic names the commune code and the device uid; the broker's ACL already bound the
  publishing identity to exactly that topic tree. Unknown communes/devices are counted and dropped.
- Validation against the device's profile; anything malformed or out of range goes to the commune's
  dead-letter table. No message can crash the loop: every batch is wrapped, failures are counted.
- After each batch: threshold rules for the devices seen; command results from `rpc/res/{id}`.
- Per message: one topic split, one dictionary lookup for the device, `json.loads`, validation against
  limits compiled once per profile; the device's own JSON text is stored as is (no re-encoding) unless
  it carried a `ts`. Per batch: one COPY (a single block of COPY text), one UPDATE of last_seen_at.
- Scale-out: `MQTT_INGEST_SHARED_GROUP=ingest` subscribes every ingester to
  `$share/ingest/t/+/d/+/telemetry` (and the results), so the broker spreads messages over N replicas
  (pods, or `smartcommune mqtt-ingest --processes N` on one host). Each replica keeps its own persistent
  session (client id suffixed with the host name / pod name / process number, default expiry 1 day), so
  QoS 1 holds per replica.
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
from datetime import datetime
from typing import Any

import structlog
from prometheus_client import Histogram
from sqlalchemy import select

from smartcommune.platform.devices import service
from smartcommune.platform.devices.models import Device, DeviceProfile
from smartcommune.platform.devices.mqtt import BrokerAddress, broker_address
from smartcommune.platform.devices.wire import Received, Subscriber
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
class DeviceInfo:
    id: int
    limits: service.Limits
    alarms: tuple[service.ProfileAlarm, ...] = ()


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
            rows = db.execute(
                select(Device.uid, Device.id, DeviceProfile.id, DeviceProfile.fields, DeviceProfile.alarm_rules).join(
                    DeviceProfile
                )
            ).all()
        compiled: dict[int, tuple[service.Limits, tuple[service.ProfileAlarm, ...]]] = {}  # once per profile
        for _, _, profile_id, fields, alarm_rules in rows:
            if profile_id not in compiled:
                alarms = service.compile_alarms(alarm_rules or [], fields or [])
                compiled[profile_id] = (service.compile_fields(fields), alarms)
        found = {uid: DeviceInfo(did, *compiled[profile_id]) for uid, did, profile_id, _, _ in rows}
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
        self.client_id = client_id
        self.batch_size = batch_size or settings.mqtt_ingest_batch
        self.flush_s = (flush_ms or settings.mqtt_ingest_flush_ms) / 1000
        self.pending: deque[Received] = deque()
        self.counters: Counter[str] = Counter()
        self.directory = Directory()
        self._stop = threading.Event()
        self.shared_group = shared_group
        self.heartbeat = time.monotonic()
        self.batch_latency = Histogram(
            "smartcommune_ingest_batch_seconds",
            "Time to validate and commit one batch",
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
            registry=None,
        )
        self.client = Subscriber(
            self.address,
            client_id,
            [(self.topic(TELEMETRY), 1), (self.topic(RPC_RESULTS), 1)],
            self._on_messages,
            manual_ack=self.manual_ack,
            session_expiry_s=session_expiry_s,
            on_connect=self._on_connect,
            on_disconnect=self._on_disconnect,
        )
        self.connected = self.client.connected
        self._worker = threading.Thread(target=self._run, name="mqtt-ingest-writer", daemon=True)
        self._last_expiry = 0.0

    # -- MQTT callbacks (network thread) --
    def _on_connect(self) -> None:
        self.counters["connects"] += 1
        log.info("mqtt_ingest_connected", host=self.address.host, port=self.address.port)

    def _on_disconnect(self, reason: str) -> None:
        self.counters["disconnects"] += 1
        log.warning("mqtt_ingest_disconnected", reason=reason)

    def _on_messages(self, messages: list[Received]) -> None:
        self.counters["received"] += len(messages)
        while len(self.pending) >= MAX_PENDING and not self._stop.is_set():
            time.sleep(0.01)  # the database is behind: stop reading, TCP pushes back to the broker
        self.pending.extend(messages)

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
        self.client.start()
        self._worker.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._worker.join(timeout=10)
        self.client.stop()

    def run_forever(self, stop: threading.Event | None = None) -> None:
        self.start()
        try:
            while not self._stop.is_set() and not (stop is not None and stop.is_set()):
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()

    # -- writer thread --
    def _take(self, limit: int) -> list[Received]:
        taken: list[Received] = []
        pending = self.pending
        try:
            while len(taken) < limit:
                taken.append(pending.popleft())
        except IndexError:
            pass
        return taken

    def _run(self) -> None:
        """Collect up to `batch_size` messages or `flush_ms` after the first one, then write them.

        The network thread appends whole reads to a deque (atomic, no lock, no wake-up per message); this
        thread polls it every few milliseconds, which costs far less than a Condition notify per message."""
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
                    self.client.ack((item.session, item.mid) for item in batch if item.qos)
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

    def process(self, batch: list[Received]) -> None:
        """Group by commune; per commune one transaction: telemetry rows, dead letters, results, rules."""
        by_commune: dict[str, list[tuple[list[str], Received]]] = defaultdict(list)
        for item in batch:
            parts = item.topic.split("/")
            if len(parts) < 5 or parts[0] != "t" or parts[2] != "d" or not parts[1].isdigit():
                self.counters["bad_topic"] += 1
                continue
            by_commune[parts[1]].append((parts, item))
        for code, items in by_commune.items():
            tenant = self.directory.tenant(int(code))
            if tenant is None:
                self.counters["unknown_commune"] += len(items)
                continue
            self._process_commune(tenant, items)

    def _dead(self, uid: str, item: Received, reason: str, detail: str | None = None) -> dict[str, Any]:
        self.counters[reason] += 1
        return {
            "device_uid": uid[:64],
            "topic": item.topic[:300],
            "payload": item.payload.decode("utf-8", "replace")[:4000].replace("\x00", "\ufffd"),
            "reason": reason,
            "detail": detail,
        }

    def _process_commune(self, tenant: TenantInfo, items: list[tuple[list[str], Received]]) -> None:
        rows: list[tuple[int, datetime, str]] = []
        dead: list[dict[str, Any]] = []
        results: list[tuple[uuid.UUID, str, Any]] = []
        samples: list[tuple[int, datetime, dict[str, float]]] = []
        alarm_samples: list[service.AlarmSample] = []
        devices = self.directory.devices(tenant)
        loads, validate, Rejected = json.loads, service.validate, service.Rejected  # noqa: N806 - hot loop
        for parts, item in items:
            uid = parts[3]
            device = devices.get(uid) or self.directory.device(tenant, uid)
            if device is None:
                dead.append(self._dead(uid, item, "unknown_device"))
                continue
            try:
                text = item.payload.decode()
                payload = loads(text)
            except ValueError:  # also UnicodeDecodeError
                dead.append(self._dead(uid, item, "malformed_json"))
                continue
            if len(parts) != 5 or parts[4] != "telemetry":
                if len(parts) == 7 and parts[4] == "rpc" and parts[5] == "res":
                    try:
                        results.append((uuid.UUID(parts[6]), uid, payload))
                    except ValueError:
                        self.counters["bad_correlation_id"] += 1
                continue
            try:
                ts, values = validate(device.limits, payload)
            except Rejected as e:
                dead.append(self._dead(uid, item, e.reason, e.detail[:300] or None))
                continue
            if ts is None:  # the device's own JSON, stored as sent (validated: flat, numeric, declared)
                ts = item.received_at
                rows.append((device.id, ts, text))
            else:
                rows.append((device.id, ts, json.dumps(values)))
            samples.append((device.id, ts, values))
            if device.alarms:
                alarm_samples.append((device.id, uid, ts, values, device.alarms))
        with tenant_transaction(tenant) as db:
            service.store_batch(db, rows, dead)
            for command_id, uid, payload in results:
                if service.record_result(db, command_id, uid, payload):
                    self.counters["command_results"] += 1
            if samples:
                self.counters["rules_fired"] += service.evaluate_thresholds(db, tenant, samples)
            if alarm_samples:
                self.counters["alarms_raised"] += service.evaluate_profile_alarms(db, tenant, alarm_samples)
        self.counters["stored"] += len(rows)
        self.counters["dead_letters"] += len(dead)


def _serve(index: int | None, group: str | None, stop: threading.Event | None = None) -> None:
    """One ingester with its health port (`HEALTH_PORT`, plus `index` for the processes of one host)."""
    from smartcommune.platform.observability.logging import configure_logging

    configure_logging()
    client_id = os.environ.get("MQTT_INGEST_CLIENT_ID", "smartcommune-ingest")
    if group:  # one persistent session per replica (the pod name is stable in a StatefulSet, unique anyway)
        client_id = f"{client_id}-{os.environ.get('HOSTNAME') or socket.gethostname()}"
    if index is not None:
        client_id = f"{client_id}-{index}"
    ingester = Ingester(
        client_id=client_id,
        shared_group=group,
        session_expiry_s=int(os.environ.get("MQTT_INGEST_SESSION_EXPIRY_S", "86400")),
    )
    port = int(os.environ.get("HEALTH_PORT", "9000")) + (index or 0)
    health = ingester.health_server(port=port).start()
    try:
        ingester.run_forever(stop)
    finally:
        health.stop()


def main(processes: int = 1) -> None:
    """`smartcommune mqtt-ingest [--processes N]`.

    N > 1 runs N ingester processes on this host as members of one shared subscription
    (`MQTT_INGEST_SHARED_GROUP`, default `ingest`): Python runs one core per process, the broker spreads
    the messages. Process i serves its health port at `HEALTH_PORT + i`. A process that dies is started
    again. In Kubernetes run one process per pod and scale replicas instead."""
    group = os.environ.get("MQTT_INGEST_SHARED_GROUP") or None
    if processes <= 1:
        _serve(None, group)
        return
    import multiprocessing

    group = group or "ingest"
    spawn = multiprocessing.get_context("spawn")
    stop = spawn.Event()
    children = [spawn.Process(target=_serve, args=(i, group, stop), name=f"mqtt-ingest-{i}") for i in range(processes)]
    for child in children:
        child.start()
    try:
        while True:
            time.sleep(2)
            for i, child in enumerate(children):
                if not child.is_alive():
                    log.warning("mqtt_ingest_process_restarted", index=i, exitcode=child.exitcode)
                    children[i] = spawn.Process(target=_serve, args=(i, group, stop), name=f"mqtt-ingest-{i}")
                    children[i].start()
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        for child in children:
            child.join(15)
