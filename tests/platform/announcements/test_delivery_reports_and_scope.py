"""Providers' delivery reports, village heads' scope, editing before publication, and the outbox surviving a
broker that is down. Real PostgreSQL and the real app (TestClient); SMS/Zalo providers are recording
stand-ins named as such, and the callbacks are built exactly as eSMS.vn and Zalo document them."""

from __future__ import annotations

import json
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from celery import Celery
from sqlalchemy import func, select
from testsupport.commune_world import World, unique

from smartcommune.platform.announcements import delivery, service
from smartcommune.platform.announcements.models import Announcement, Delivery, DeliveryReportRow
from smartcommune.platform.announcements.schemas import AnnouncementIn, Targeting
from smartcommune.platform.notifications import callbacks
from smartcommune.platform.notifications import channels as channel_module
from smartcommune.platform.notifications.channels import Channels, PushTarget, TextMessage
from smartcommune.platform.notifications.settings import get_channel_settings
from smartcommune.platform.notifications.tasks import drain as drain_task
from smartcommune.platform.residents.models import Resident
from smartcommune.platform.villages.models import Village
from smartcommune.platform.worker.outbox import APP_KEY
from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.session import tenant_session, tenant_transaction

ESMS_SECRET = "bi-mat-esms-kiem-thu"
ZALO_OA_SECRET = "bi-mat-oa-kiem-thu"


class RecordingText:
    """Stand-in for the eSMS / ZNS HTTP adapters (their requests have their own contract tests)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.sent: list[TextMessage] = []

    def send(self, message: TextMessage) -> str | None:
        self.sent.append(message)
        return f"{self.name}-{uuid.uuid4().hex}"


class RecordingPush:
    def send(self, target: PushTarget, payload: dict[str, Any], *, urgency: str, topic: str | None) -> None:
        return None


@pytest.fixture()
def secrets(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("ESMS_CALLBACK_SECRET", ESMS_SECRET)
    monkeypatch.setenv("ZALO_OA_SECRET_KEY", ZALO_OA_SECRET)
    get_channel_settings.cache_clear()
    yield
    get_channel_settings.cache_clear()


def _village_with_residents(tenant: TenantInfo, n: int = 2) -> tuple[int, list[int]]:
    with tenant_transaction(tenant) as db:
        village = Village(code=unique("V"), name=unique("Thôn"), kind="thon")
        db.add(village)
        db.flush()
        ids = []
        for _ in range(n):
            r = Resident(
                full_name=unique("Nguyễn"),
                village_id=village.id,
                phone=f"+8491{uuid.uuid4().int % 10_000_000:07d}",
                account_subject=str(uuid.uuid4()),
                groups=[],
                status="verified",
                source="official",
            )
            db.add(r)
            db.flush()
            ids.append(r.id)
        return village.id, ids


def _announce(tenant: TenantInfo, village_id: int, **kw: Any) -> int:
    data = AnnouncementIn(
        title=kw.pop("title", "Lịch tiêm phòng"),
        body="Tiêm phòng dại cho chó mèo.",
        target=Targeting(whole_commune=False, village_ids=[village_id]),
        **kw,
    )
    with tenant_transaction(tenant) as db:
        return service.create(db, tenant, data, actor="canbo", actor_kind="commune").id


def _rows(tenant: TenantInfo, announcement_id: int, channel: str) -> list[Delivery]:
    with tenant_transaction(tenant) as db:
        rows = db.scalars(
            select(Delivery).where(Delivery.announcement_id == announcement_id, Delivery.channel == channel)
        ).all()
        db.expunge_all()
        return list(rows)


def _esms_query(sms_id: str, *, status: str = "5", success: str = "1", failed: str = "0") -> dict[str, str]:
    """The query eSMS.vn sends to the CallbackUrl (their documented sample, customer-care SMS type 2)."""
    return {
        "SMSID": sms_id,
        "SendFailed": failed,
        "SendStatus": status,
        "SendSuccess": success,
        "TotalPrice": "0.0000",
        "TotalReceiver": "1",
        "TotalSent": "1",
        "RequestId": "",
        "TypeId": "2",
        "telcoid": "1",
        "phonenumber": "0901888484",
    }


def _zalo_event(msg_id: str, *, event: str = "user_received_message") -> tuple[bytes, str]:
    """A Zalo OA webhook body and its `X-ZEvent-Signature` (mac = sha256(app_id + body + timestamp + secret))."""
    body: dict[str, Any] = {
        "app_id": "4567891234",
        "sender": {"id": "1397492183140006179"},
        "recipient": {"id": "8491234567"},
        "event_name": event,
        "message": {"msg_id": msg_id, "delivery_time": "1732200000000"},
        "timestamp": "1732200000123",
    }
    raw = json.dumps(body, ensure_ascii=False).encode()
    return raw, "mac=" + callbacks.zalo_mac(body["app_id"], raw, body["timestamp"], ZALO_OA_SECRET)


# -- delivery reports ---------------------------------------------------------------------------------
def test_esms_callback_shared_secret_contract_moves_sms_to_delivered_or_failed_once(
    world: World, secrets: None
) -> None:
    tenant = world.a
    village, _ = _village_with_residents(tenant)
    recording = Channels(sms=RecordingText("sms"), zalo=RecordingText("zalo"), push=RecordingPush())
    aid = _announce(tenant, village, channels=["sms"])
    delivery.drain(tenant, channels=recording)
    sms = recording.sms.sent  # type: ignore[attr-defined]
    assert len(sms) == 2
    # The CallbackUrl given to eSMS is the commune's hook carrying the shared secret.
    hook = urlsplit(sms[0].callback_url)
    assert hook.path == f"/t/{tenant.slug}/webhooks/esms/delivery"
    assert parse_qs(hook.query) == {"token": [ESMS_SECRET]}
    ok, bad = sorted(_rows(tenant, aid, "sms"), key=lambda d: d.id)
    assert ok.status == bad.status == "sent" and ok.provider_message_id and bad.provider_message_id
    path = "/webhooks/esms/delivery"

    # Without the secret, or with a wrong one: 401, nothing stored.
    for params in (_esms_query(ok.provider_message_id), {**_esms_query(ok.provider_message_id), "token": "sai"}):
        refused = world.call("GET", path, tenant, params=params)
        assert refused.status_code == 401 and refused.json()["error"]["code"] == "callback_signature_invalid"
    # "Sent to the telco, waiting for the report" (7) changes nothing and is not stored.
    waiting = world.call(
        "GET", path, tenant, params={**_esms_query(ok.provider_message_id, status="7"), "token": ESMS_SECRET}
    )
    assert waiting.json() == {"ok": True, "outcome": "pending"}

    delivered = {**_esms_query(ok.provider_message_id), "token": ESMS_SECRET}
    failed = {**_esms_query(bad.provider_message_id, success="0", failed="1"), "token": ESMS_SECRET}
    assert world.call("GET", path, tenant, params=delivered).json()["outcome"] == "applied"
    assert world.call("GET", path, tenant, params=failed).json()["outcome"] == "applied"
    # Replays (eSMS retries up to 5 times) change nothing.
    before = {d.id: (d.status, d.error, d.delivered_at) for d in _rows(tenant, aid, "sms")}
    for params in (delivered, failed, {**delivered, "SendSuccess": "0", "SendFailed": "1"}):
        assert world.call("GET", path, tenant, params=params).json()["outcome"] == "duplicate"
    after = {d.id: (d.status, d.error, d.delivered_at) for d in _rows(tenant, aid, "sms")}
    assert after == before
    assert after[ok.id][0] == "delivered" and after[ok.id][2] is not None
    assert after[bad.id][:2] == ("failed", "esms_send_failed")
    with tenant_transaction(tenant) as db:
        stored = db.scalars(
            select(DeliveryReportRow).where(
                DeliveryReportRow.provider_message_id.in_([ok.provider_message_id, bad.provider_message_id])
            )
        ).all()
        assert sorted(r.delivery_id or 0 for r in stored) == sorted([ok.id, bad.id])
        assert all("token" not in r.payload for r in stored)  # the secret is never stored
        report = service.delivery_report(db, aid, channel="sms", status=None, limit=10, after_id=0)
    assert report.summary["sms"] == {"delivered": 1, "failed": 1}
    # The other commune does not know these messages: stored there as unknown, nothing changes here.
    other = world.call("GET", path, world.b, params={**_esms_query(unique("sms")), "token": ESMS_SECRET})
    assert other.json()["outcome"] == "unknown_message"


def test_zalo_zns_webhook_signature_contract_marks_delivered_once(world: World, secrets: None) -> None:
    tenant = world.a
    village, _ = _village_with_residents(tenant, 1)
    recording = Channels(sms=RecordingText("sms"), zalo=RecordingText("zalo"), push=RecordingPush())
    aid = _announce(tenant, village, channels=["zalo"])
    delivery.drain(tenant, channels=recording)
    (row,) = _rows(tenant, aid, "zalo")
    assert row.status == "sent" and row.provider_message_id
    assert recording.zalo.sent[0].callback_url == ""  # type: ignore[attr-defined]  # ZNS reports via the OA webhook

    raw, signature = _zalo_event(row.provider_message_id)
    path = "/webhooks/zalo/zns"
    headers = {"content-type": "application/json"}
    unsigned = world.call("POST", path, tenant, content=raw, headers=headers)
    assert unsigned.status_code == 401
    tampered = raw.replace(b"8491234567", b"8491234568")
    forged = world.call("POST", path, tenant, content=tampered, headers={**headers, "X-ZEvent-Signature": signature})
    assert forged.status_code == 401
    assert _rows(tenant, aid, "zalo")[0].status == "sent"

    signed = {**headers, "X-ZEvent-Signature": signature}
    assert world.call("POST", path, tenant, content=raw, headers=signed).json() == {"ok": True, "outcome": "applied"}
    assert world.call("POST", path, tenant, content=raw, headers=signed).json()["outcome"] == "duplicate"
    (row,) = _rows(tenant, aid, "zalo")
    assert row.status == "delivered" and row.delivered_at is not None
    # Other OA events on the same webhook are acknowledged and ignored.
    raw, signature = _zalo_event("khac", event="user_seen_message")
    answer = world.call("POST", path, tenant, content=raw, headers={**headers, "X-ZEvent-Signature": signature})
    assert answer.json()["outcome"] == "ignored"
    with tenant_transaction(tenant) as db:
        assert db.scalar(select(func.count()).where(DeliveryReportRow.provider_message_id == "khac")) == 0


def test_delivery_report_callbacks_refuse_everything_when_no_secret_is_configured(world: World) -> None:
    get_channel_settings.cache_clear()
    params = {**_esms_query("abc"), "token": ""}
    assert world.call("GET", "/webhooks/esms/delivery", world.a, params=params).status_code == 401
    raw, _ = _zalo_event("abc")
    unsigned_mac = "mac=" + callbacks.zalo_mac("4567891234", raw, "1732200000123", "")
    answer = world.call(
        "POST", "/webhooks/zalo/zns", world.a, content=raw, headers={"X-ZEvent-Signature": unsigned_mac}
    )
    assert answer.status_code == 401


# -- village heads -------------------------------------------------------------------------------------
def test_village_heads_announce_and_read_the_register_only_for_their_villages(world: World) -> None:
    tenant = world.a
    admin = world.person(tenant, "commune_admin")
    official = world.person(tenant, "commune_official")
    head = world.person(tenant, "village_head")
    mine, my_people = _village_with_residents(tenant)
    theirs, their_people = _village_with_residents(tenant)
    body = {"title": "Họp thôn", "body": "Họp thôn lúc 19 giờ.", "channels": []}
    own = {**body, "target": {"whole_commune": False, "village_ids": [mine]}}
    other = {**body, "target": {"whole_commune": False, "village_ids": [theirs]}}

    # Not linked to any village yet: nothing to announce to, nobody's record to read.
    refused = world.call("POST", "/api/v1/announcements", tenant, head, json=own)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "outside_village_scope"
    assert world.call("GET", "/api/v1/residents", tenant, head).json() == []

    # The admin links them to their village (audited); only a village head can be linked.
    linked = world.call("PUT", f"/api/v1/village-heads/{head.subject}", tenant, admin, json={"village_ids": [mine]})
    assert linked.status_code == 200 and linked.json() == {"user_id": head.subject, "village_ids": [mine]}
    not_head = world.call(
        "PUT", f"/api/v1/village-heads/{official.subject}", tenant, admin, json={"village_ids": [mine]}
    )
    assert not_head.status_code == 422 and not_head.json()["error"]["code"] == "not_a_village_head"
    unknown = world.call("PUT", f"/api/v1/village-heads/{head.subject}", tenant, admin, json={"village_ids": [10**9]})
    assert unknown.status_code == 422
    assert (
        world.call(
            "PUT", f"/api/v1/village-heads/{head.subject}", tenant, head, json={"village_ids": [theirs]}
        ).status_code
        == 403
    )
    listing = world.call("GET", "/api/v1/village-heads", tenant, admin).json()
    assert {"user_id": head.subject, "village_ids": [mine]} in listing

    created = world.call("POST", "/api/v1/announcements", tenant, head, json=own)
    assert created.status_code == 201, created.text
    for target in (other, body, {**body, "target": {"whole_commune": False, "groups": ["nong_dan"]}}):
        answer = world.call("POST", "/api/v1/announcements", tenant, head, json=target)
        assert answer.status_code == 403 and answer.json()["error"]["code"] == "outside_village_scope"
    # An official's whole-commune announcement: the head may read it, not cancel, edit or inspect deliveries.
    wide = world.call("POST", "/api/v1/announcements", tenant, official, json=body).json()["id"]
    assert world.call("GET", f"/api/v1/announcements/{wide}", tenant, head).status_code == 200
    for method, path in (
        ("POST", f"/api/v1/announcements/{wide}/cancel"),
        ("GET", f"/api/v1/announcements/{wide}/deliveries"),
    ):
        assert world.call(method, path, tenant, head).status_code == 403
    assert world.call("POST", f"/api/v1/announcements/{created.json()['id']}/cancel", tenant, head).status_code == 200

    # The register: their village only; another village's resident is not found.
    listed = {r["id"] for r in world.call("GET", "/api/v1/residents", tenant, head, params={"limit": 1000}).json()}
    assert set(my_people) <= listed and not set(their_people) & listed
    assert world.call("GET", f"/api/v1/residents/{my_people[0]}", tenant, head).status_code == 200
    assert world.call("GET", f"/api/v1/residents/{their_people[0]}", tenant, head).status_code == 404
    assert world.call("GET", f"/api/v1/residents/{their_people[0]}", tenant, official).status_code == 200
    # Unlinking takes it all back.
    world.call("PUT", f"/api/v1/village-heads/{head.subject}", tenant, admin, json={"village_ids": []})
    assert world.call("POST", "/api/v1/announcements", tenant, head, json=own).status_code == 403


# -- editing before publication -----------------------------------------------------------------------
def test_announcements_are_editable_until_published(world: World) -> None:
    tenant = world.a
    official = world.person(tenant, "commune_official")
    later = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    created = world.call(
        "POST",
        "/api/v1/announcements",
        tenant,
        official,
        json={"title": "Cúp nước", "body": "Sáng mai.", "publish_at": later},
    ).json()
    assert created["status"] == "scheduled"
    edited = world.call(
        "PATCH",
        f"/api/v1/announcements/{created['id']}",
        tenant,
        official,
        json={"title": "Cúp nước <b>toàn xã</b>", "priority": "urgent"},
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["title"] == "Cúp nước toàn xã" and edited.json()["priority"] == "urgent"
    assert edited.json()["body"] == "Sáng mai." and edited.json()["status"] == "scheduled"
    bad = world.call(
        "PATCH",
        f"/api/v1/announcements/{created['id']}",
        tenant,
        official,
        json={"expires_at": "2020-01-01T00:00:00+07:00"},
    )
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_expiry"
    # Moving the time to now publishes it; from then on it is history.
    now = world.call(
        "PATCH",
        f"/api/v1/announcements/{created['id']}",
        tenant,
        official,
        json={"publish_at": datetime.now(UTC).isoformat()},
    )
    assert now.json()["status"] == "published"
    late = world.call("PATCH", f"/api/v1/announcements/{created['id']}", tenant, official, json={"title": "Khác"})
    assert late.status_code == 409 and late.json()["error"]["code"] == "announcement_not_editable"


# -- the outbox survives a broker outage ----------------------------------------------------------------
def test_broker_down_only_delays_delivery_the_drain_sends_it_when_the_broker_is_back(
    communes: tuple[TenantInfo, TenantInfo],
) -> None:
    tenant = communes[0]
    village, _ = _village_with_residents(tenant, 3)
    # A real Celery app whose broker is down (nothing listens on that port): the after-commit send fails.
    dead_broker = Celery("dead-broker", broker="amqp://guest:guest@127.0.0.1:1//", set_as_current=False)
    dead_broker.conf.update(task_publish_retry=False, broker_connection_timeout=1, broker_connection_retry=False)
    session = tenant_session(tenant)
    session.info[APP_KEY] = dead_broker
    try:
        data = AnnouncementIn(
            title="Lũ về",
            body="Di dời khẩn cấp.",
            priority="emergency",
            target=Targeting(whole_commune=False, village_ids=[village]),
            channels=["sms", "zalo"],
        )
        aid = service.create(session, tenant, data, actor="canbo", actor_kind="commune").id
        session.commit()  # the announcement and its outbox commit; the broker send fails and is only logged
    finally:
        session.close()
    queued = Counter(d.status for ch in ("sms", "zalo") for d in _rows(tenant, aid, ch))
    assert queued == {"queued": 6}  # nothing lost, nothing sent
    with tenant_transaction(tenant) as db:
        assert db.get(Announcement, aid).status == "published"  # type: ignore[union-attr]
    # The broker is back: the drain task (what the worker runs, also sent by the periodic sweep) sends all.
    recording = Channels(sms=RecordingText("sms"), zalo=RecordingText("zalo"), push=RecordingPush())
    channel_module.set_channels(recording)
    try:
        outcome = drain_task.run(tenant.commune_code)
    finally:
        channel_module.set_channels(None)
    assert outcome["sent"] >= 6
    assert Counter(d.status for ch in ("sms", "zalo") for d in _rows(tenant, aid, ch)) == {"sent": 6}


def test_urgent_announcements_jump_a_backlog_of_normal_ones(communes: tuple[TenantInfo, TenantInfo]) -> None:
    tenant = communes[1]
    village, _ = _village_with_residents(tenant, 4)
    recording = Channels(sms=RecordingText("sms"), zalo=RecordingText("zalo"), push=RecordingPush())
    backlog = [_announce(tenant, village, title=f"Tin thường {i}", channels=["sms"]) for i in range(3)]
    urgent = _announce(tenant, village, title="Khẩn: đê vỡ", priority="urgent", channels=["sms"])
    first = delivery.drain_batch(tenant, batch=4, channels=recording)
    assert first.sent == 4
    assert [m.title for m in recording.sms.sent] == ["Khẩn: đê vỡ"] * 4  # type: ignore[attr-defined]
    delivery.drain(tenant, channels=recording)
    assert all(d.status == "sent" for a in (*backlog, urgent) for d in _rows(tenant, a, "sms"))
    # The drain of an urgent announcement is sent to its own queue, ahead of any normal backlog.
    assert service.drain_task_for("urgent") == service.URGENT_DRAIN_TASK
