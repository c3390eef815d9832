"""Announcements on real PostgreSQL, both communes present: fan-out, the delivery outbox, priorities,
retries, read receipts, schedules and the loudspeaker text. Channels are recording stand-ins named as
such; the HTTP adapters have their own contract tests."""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update
from testsupport.fresh import fresh_commune

from smartcommune.platform.announcements import delivery, service
from smartcommune.platform.announcements.models import Announcement, Delivery
from smartcommune.platform.announcements.schemas import AnnouncementIn, Targeting
from smartcommune.platform.inbox.models import InboxItem
from smartcommune.platform.inbox.service import mark_read
from smartcommune.platform.notifications.channels import ChannelError, Channels, PushTarget, TextMessage
from smartcommune.platform.notifications.models import PushSubscription
from smartcommune.platform.notifications.tasks import sweep_commune
from smartcommune.platform.residents.models import Resident
from smartcommune.platform.villages.models import Village
from smartcommune.platform.worker.outbox import pending_jobs
from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.session import tenant_session, tenant_transaction


@dataclass
class RecordingText:
    """Stand-in for an SMS/Zalo provider: records messages; fails for phones listed in `fail`."""

    name: str
    sent: list[TextMessage] = field(default_factory=list)
    fail: dict[str, ChannelError] = field(default_factory=dict)

    def send(self, message: TextMessage) -> str | None:
        if message.phone in self.fail:
            raise self.fail[message.phone]
        self.sent.append(message)
        return f"{self.name}-{len(self.sent)}"


@dataclass
class RecordingPush:
    sent: list[tuple[str, dict[str, Any], str]] = field(default_factory=list)

    def send(self, target: PushTarget, payload: dict[str, Any], *, urgency: str, topic: str | None) -> None:
        self.sent.append((target.endpoint, payload, urgency))


def recording_channels() -> Channels:
    return Channels(sms=RecordingText("sms"), zalo=RecordingText("zalo"), push=RecordingPush())


@dataclass
class Town:
    tenant: TenantInfo
    villages: list[int]
    residents: dict[str, Resident]


_seq = iter(range(10_000_000))


def _phone() -> str:
    return f"+8497{next(_seq) + int(uuid.uuid4().int % 1_000_000):07d}"[:12]


def _town(tenant: TenantInfo) -> Town:
    """Two villages; residents with and without account, phone, push subscription, groups."""
    with tenant_transaction(tenant) as db:
        villages = []
        for name in ("Thôn Đông", "Thôn Tây"):
            v = Village(code=f"V{uuid.uuid4().hex[:8]}", name=name, kind="thon")
            db.add(v)
            db.flush()
            villages.append(v.id)
        specs = {
            "farmer_east_app": (villages[0], ["nong_dan"], True, True, True),
            "parent_east_sms": (villages[0], ["phu_huynh"], False, True, False),
            "west_app": (villages[1], [], True, False, False),
            "west_farmer_push": (villages[1], ["nong_dan"], True, True, True),
            "pending_east": (villages[0], ["nong_dan"], True, True, False),
        }
        residents: dict[str, Resident] = {}
        for key, (village, groups, account, phone, push) in specs.items():
            r = Resident(
                full_name=key,
                village_id=village,
                groups=groups,
                account_subject=str(uuid.uuid4()) if account else None,
                phone=_phone() if phone else None,
                status="pending" if key.startswith("pending") else "verified",
                source="official",
            )
            db.add(r)
            db.flush()
            if push:
                db.add(
                    PushSubscription(
                        subject=r.account_subject, endpoint=f"https://push.example/{uuid.uuid4()}", p256dh="k", auth="a"
                    )
                )
            residents[key] = r
    return Town(tenant, villages, residents)


def _announce(town: Town, **kw: Any) -> int:
    data = AnnouncementIn(title=kw.pop("title", "Lịch cắt điện"), body=kw.pop("body", "Cắt điện từ 8h đến 11h."), **kw)
    with tenant_transaction(town.tenant) as db:
        return service.create(db, town.tenant, data, actor="canbo", actor_kind="commune").id


def _deliveries(tenant: TenantInfo, announcement_id: int) -> list[tuple[int, str, str, str | None, int]]:
    with tenant_transaction(tenant) as db:
        rows = db.execute(
            select(Delivery.resident_id, Delivery.channel, Delivery.status, Delivery.error, Delivery.attempts).where(
                Delivery.announcement_id == announcement_id
            )
        ).all()
    return [tuple(r) for r in rows]  # type: ignore[misc]


def _inbox_recipients(tenant: TenantInfo, announcement_id: int) -> set[str]:
    with tenant_transaction(tenant) as db:
        return set(
            db.scalars(
                select(InboxItem.recipient).where(
                    InboxItem.source_type == "announcement", InboxItem.source_id == str(announcement_id)
                )
            )
        )


@pytest.fixture(scope="module")
def towns(database_url: str) -> tuple[Town, Town]:
    # Two communes of their own: "whole commune" must mean exactly these residents, whatever other
    # suites have registered in the shared session communes.
    return _town(fresh_commune()), _town(fresh_commune())


def test_targeting_reaches_exactly_the_targeted_verified_residents_in_one_commune(towns: tuple[Town, Town]) -> None:
    a, b = towns
    with tenant_transaction(b.tenant) as db:
        b_before = (
            db.scalar(select(func.count()).select_from(InboxItem)),
            db.scalar(select(func.count()).select_from(Delivery)),
        )
    cases = [
        (Targeting(), {"farmer_east_app", "parent_east_sms", "west_app", "west_farmer_push"}),
        (Targeting(whole_commune=False, village_ids=[a.villages[0]]), {"farmer_east_app", "parent_east_sms"}),
        (Targeting(whole_commune=False, groups=["nong_dan"]), {"farmer_east_app", "west_farmer_push"}),
        (
            Targeting(whole_commune=False, village_ids=[a.villages[1]], groups=["nong_dan"]),
            {"west_farmer_push"},
        ),
    ]
    for target, expected_keys in cases:
        aid = _announce(a, target=target, channels=["push", "sms", "zalo"])
        expected = [a.residents[k] for k in expected_keys]
        assert _inbox_recipients(a.tenant, aid) == {r.account_subject for r in expected if r.account_subject}
        by_channel: dict[str, set[int]] = {}
        for resident_id, channel, status, _, _ in _deliveries(a.tenant, aid):
            by_channel.setdefault(channel, set()).add(resident_id)
            assert status == ("delivered" if channel == "inbox" else "queued")
        assert by_channel.get("inbox", set()) == {r.id for r in expected if r.account_subject}
        assert by_channel.get("sms", set()) == {r.id for r in expected if r.phone}
        assert by_channel.get("zalo", set()) == {r.id for r in expected if r.phone}
        pushable = {a.residents[k].id for k in ("farmer_east_app", "west_farmer_push")}
        assert by_channel.get("push", set()) == {r.id for r in expected} & pushable
        with tenant_transaction(a.tenant) as db:
            assert db.get(Announcement, aid).recipients == len(expected)  # type: ignore[union-attr]
    # The other commune got nothing.
    with tenant_transaction(b.tenant) as db:
        b_after = (
            db.scalar(select(func.count()).select_from(InboxItem)),
            db.scalar(select(func.count()).select_from(Delivery)),
        )
    assert b_after == b_before


def test_outbox_rows_commit_or_roll_back_with_the_announcement(towns: tuple[Town, Town]) -> None:
    a, _ = towns
    data = AnnouncementIn(title="Bão số 3", body="Chằng chống nhà cửa.", priority="emergency", channels=["push"])
    session = tenant_session(a.tenant)
    try:
        announcement = service.create(session, a.tenant, data, actor="canbo", actor_kind="commune")
        aid = announcement.id
        jobs = pending_jobs(session)
        assert [j.task_name for j in jobs] == [service.URGENT_DRAIN_TASK]
        assert jobs[0].args == (a.tenant.commune_code,)
        session.rollback()  # the request failed after the fan-out: nothing of it may remain
        assert pending_jobs(session) == []
    finally:
        session.close()
    with tenant_transaction(a.tenant) as db:
        assert db.get(Announcement, aid) is None
        assert db.scalar(select(func.count()).where(Delivery.announcement_id == aid)) == 0
    assert _inbox_recipients(a.tenant, aid) == set()


def test_a_lost_broker_message_only_delays_delivery_the_sweep_sends_it(towns: tuple[Town, Town]) -> None:
    a, b = towns
    channels = recording_channels()
    from smartcommune.platform.notifications import channels as channel_module

    channel_module.set_channels(channels)
    try:
        aid = _announce(a, channels=["push", "sms"])  # committed; its drain task is never run here
        queued = Counter(ch for _, ch, st, _, _ in _deliveries(a.tenant, aid) if st == "queued")
        assert queued["push"] == 2 and queued["sms"] == 3
        outcome = sweep_commune(a.tenant)
        assert outcome["sent"] >= 5
        statuses = Counter((ch, st) for _, ch, st, _, _ in _deliveries(a.tenant, aid))
        assert statuses[("push", "sent")] == 2 and statuses[("sms", "sent")] == 3
        assert not any(st == "queued" for _, _, st, _, _ in _deliveries(a.tenant, aid))
        sms = channels.sms.sent  # type: ignore[attr-defined]
        assert all(m.reference.startswith(a.tenant.schema_name + ":") for m in sms)
        assert all(m.commune_name == a.tenant.name for m in sms)
        assert sweep_commune(b.tenant).get("sent", 0) == 0  # nothing of A is sent from B
    finally:
        channel_module.set_channels(None)


def test_urgent_rows_jump_the_queue(towns: tuple[Town, Town]) -> None:
    a, _ = towns
    channels = recording_channels()
    normal = _announce(a, title="Họp thôn", channels=["sms"])
    emergency = _announce(a, title="Lũ quét", priority="emergency", channels=["sms"])
    first = delivery.drain_batch(a.tenant, batch=3, channels=channels)
    assert first.sent == 3
    sent_titles = [m.title for m in channels.sms.sent]  # type: ignore[attr-defined]
    assert sent_titles == ["Lũ quét"] * 3
    delivery.drain(a.tenant, channels=channels)
    assert [m.title for m in channels.sms.sent].count("Họp thôn") == 3  # type: ignore[attr-defined]
    assert {st for _, _, st, _, _ in _deliveries(a.tenant, normal)} == {"sent", "delivered"}
    assert {st for _, _, st, _, _ in _deliveries(a.tenant, emergency)} == {"sent", "delivered"}


def test_failures_are_retried_then_recorded_with_their_reason(towns: tuple[Town, Town]) -> None:
    a, _ = towns
    channels = recording_channels()
    flaky = a.residents["farmer_east_app"].phone
    dead = a.residents["parent_east_sms"].phone
    assert flaky and dead
    channels.sms.fail = {  # type: ignore[attr-defined]
        flaky: ChannelError("esms_99: timeout"),
        dead: ChannelError("esms_104: brandname", permanent=True),
    }
    aid = _announce(a, channels=["sms"], target=Targeting(whole_commune=False, village_ids=[a.villages[0]]))
    by_resident = {}
    for _ in range(3):
        delivery.drain(a.tenant, channels=channels)
    for resident_id, channel, status, error, attempts in _deliveries(a.tenant, aid):
        if channel == "sms":
            by_resident[resident_id] = (status, error, attempts)
    assert by_resident[a.residents["parent_east_sms"].id] == ("failed", "esms_104: brandname", 1)
    assert by_resident[a.residents["farmer_east_app"].id] == ("failed", "esms_99: timeout", 3)


def test_read_receipt_comes_from_the_inbox(towns: tuple[Town, Town]) -> None:
    a, _ = towns
    aid = _announce(a, channels=[])
    reader = a.residents["west_app"]
    assert reader.account_subject
    with tenant_transaction(a.tenant) as db:
        item = db.scalar(
            select(InboxItem).where(InboxItem.recipient == reader.account_subject, InboxItem.source_id == str(aid))
        )
        assert item is not None
        mark_read(db, reader.account_subject, item.id)
    with tenant_transaction(a.tenant) as db:
        report = service.delivery_report(db, aid, channel=None, status=None, limit=100, after_id=0)
    assert report.summary["inbox"] == {"read": 1, "delivered": 2}
    read_rows = [i for i in report.items if i.status == "read"]
    assert [r.resident_id for r in read_rows] == [reader.id]


def test_scheduled_announcements_wait_then_publish(towns: tuple[Town, Town]) -> None:
    a, _ = towns
    later = datetime.now(UTC) + timedelta(hours=2)
    aid = _announce(a, publish_at=later, channels=[])
    assert _inbox_recipients(a.tenant, aid) == set()
    with tenant_transaction(a.tenant) as db:
        assert service.publish_due(db, a.tenant) == 0
        db.execute(
            update(Announcement)
            .where(Announcement.id == aid)
            .values(publish_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    sweep_commune(a.tenant)
    assert len(_inbox_recipients(a.tenant, aid)) == 3
    with tenant_transaction(a.tenant) as db:
        assert db.get(Announcement, aid).status == "published"  # type: ignore[union-attr]


def test_cancel_fails_what_is_still_queued(towns: tuple[Town, Town]) -> None:
    a, _ = towns
    aid = _announce(a, channels=["sms"])
    with tenant_transaction(a.tenant) as db:
        service.cancel(db, aid, actor="canbo", actor_kind="commune")
    sms = [(st, err) for _, ch, st, err, _ in _deliveries(a.tenant, aid) if ch == "sms"]
    assert sms and all(s == ("failed", "cancelled") for s in sms)


def test_loudspeaker_schedule(towns: tuple[Town, Town]) -> None:
    a, b = towns
    tz = service.LOCAL_TZ
    day = date.today() + timedelta(days=3)
    at_9 = datetime(day.year, day.month, day.day, 9, 0, tzinfo=tz)
    east = Targeting(whole_commune=False, village_ids=[a.villages[0]])
    normal = _announce(a, title="Tiêm phòng", publish_at=at_9, loudspeaker=True, target=east)
    urgent = _announce(a, title="Nước lên", priority="urgent", publish_at=at_9, loudspeaker=True, target=east)
    _announce(a, title="Không đọc", publish_at=at_9, loudspeaker=False, target=east)
    expired = _announce(
        a, title="Hết hạn", publish_at=at_9 - timedelta(days=2), expires_at=at_9 - timedelta(days=1), loudspeaker=True
    )
    with tenant_transaction(a.tenant) as db:
        items = service.loudspeaker_schedule(db, a.tenant, day=day, village_id=a.villages[0])
        west = service.loudspeaker_schedule(db, a.tenant, day=day, village_id=a.villages[1])
    mine = [i for i in items if i.announcement_id in (normal, urgent, expired)]
    times = {(i.announcement_id, i.read_at.astimezone(tz).strftime("%H:%M")) for i in mine}
    assert times == {(normal, "17:00"), (urgent, "09:00"), (urgent, "17:00")}
    assert all(i.village_id == a.villages[0] for i in mine)
    urgent_text = next(i.text for i in mine if i.announcement_id == urgent)
    assert urgent_text.startswith("THÔNG BÁO KHẨN của Ủy ban nhân dân") and "Nước lên" in urgent_text
    assert not [i for i in west if i.announcement_id in (normal, urgent)]
    with tenant_transaction(b.tenant) as db:
        assert all(
            i.announcement_id not in (normal, urgent) or "Nước lên" not in i.text
            for i in service.loudspeaker_schedule(db, b.tenant, day=day, village_id=None)
        )


def test_drain_tasks_route_urgent_to_their_own_queue() -> None:
    from smartcommune.platform.worker.celery_app import queue_for_task

    assert queue_for_task(service.DRAIN_TASK) == "notifications"
    assert queue_for_task(service.URGENT_DRAIN_TASK) == "notifications_urgent"
    assert service.drain_task_for("emergency") == service.drain_task_for("urgent") == service.URGENT_DRAIN_TASK
