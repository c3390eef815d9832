"""The platform's MQTT side: broker URL parsing, a shared publisher, publish-after-commit."""

from __future__ import annotations

import json
import threading
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

import paho.mqtt.client as mqtt
import structlog
from sqlalchemy import event
from sqlalchemy.orm import Session

from smartcommune.tenants.settings import get_settings

log = structlog.stdlib.get_logger(__name__)
PENDING_KEY = "smartcommune.mqtt_outbox"


@dataclass(frozen=True)
class BrokerAddress:
    host: str
    port: int
    username: str | None
    password: str | None


def broker_address(url: str | None = None) -> BrokerAddress:
    settings = get_settings()
    parts = urlsplit(url or settings.mqtt_url or "mqtt://127.0.0.1:1883")
    username = unquote(parts.username) if parts.username else (settings.mqtt_ingest_username or None)
    password = unquote(parts.password) if parts.password else (settings.mqtt_ingest_password or None)
    return BrokerAddress(parts.hostname or "127.0.0.1", parts.port or 1883, username, password)


def new_client(client_id: str, address: BrokerAddress, *, clean_session: bool = True, **kw: Any) -> mqtt.Client:
    client = mqtt.Client(
        mqtt.CallbackAPIVersion.VERSION2,
        client_id=client_id,
        clean_session=clean_session,
        protocol=mqtt.MQTTv311,
        **kw,
    )
    if address.username:
        client.username_pw_set(address.username, address.password)
    client.reconnect_delay_set(min_delay=1, max_delay=5)
    return client


class Publisher:
    """One connected client per process for commands (QoS 1); reconnects by itself."""

    def __init__(self, address: BrokerAddress) -> None:
        self.client = new_client(f"smartcommune-pub-{uuid.uuid4().hex[:8]}", address)
        self.client.connect_async(address.host, address.port, keepalive=30)
        self.client.loop_start()

    def publish(self, topic: str, payload: dict[str, Any]) -> None:
        self.client.publish(topic, json.dumps(payload), qos=1)

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()


_publisher: Publisher | None = None
_lock = threading.Lock()


def get_publisher() -> Publisher:
    global _publisher
    with _lock:
        if _publisher is None:
            _publisher = Publisher(broker_address())
        return _publisher


def set_publisher(publisher: Publisher | None) -> None:
    """Tests and the ingester point commands at their broker."""
    global _publisher
    with _lock:
        if _publisher is not None and publisher is not _publisher:
            _publisher.close()
        _publisher = publisher


def publish_after_commit(session: Session, topic: str, payload: dict[str, Any]) -> None:
    session.info.setdefault(PENDING_KEY, []).append((topic, payload))


@event.listens_for(Session, "after_commit")
def _send(session: Session) -> None:
    if session.in_nested_transaction():
        return
    pending = session.info.pop(PENDING_KEY, None)
    if not pending:
        return
    try:
        publisher = get_publisher()
        for topic, payload in pending:
            publisher.publish(topic, payload)
    except Exception:
        log.exception("mqtt_publish_failed", count=len(pending))


@event.listens_for(Session, "after_soft_rollback")
def _drop(session: Session, previous_transaction: Any) -> None:
    if previous_transaction.parent is None:
        session.info.pop(PENDING_KEY, None)
