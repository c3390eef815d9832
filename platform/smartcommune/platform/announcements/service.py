"""Announcements: compose, schedule and publish; publishing fans out in the caller's transaction.

Publishing writes, in ONE transaction with the announcement's new state:
- an inbox item for every targeted resident who has an account (bulk `inbox.notify`), tracked as
  `inbox` deliveries in state `delivered` (they become `read` when the resident opens the inbox item);
- a `queued` delivery row per resident and external channel (push, SMS, Zalo): the outbox.
A task drains the outbox after commit; a periodic sweep drains whatever a broker outage left behind and
publishes scheduled announcements when they are due. Urgent and emergency rows are drained first, by a
task on a queue of their own.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    and_,
    case,
    delete,
    exists,
    func,
    insert,
    literal,
    null,
    or_,
    select,
)
from sqlalchemy import update as sql_update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from smartcommune.platform.announcements.models import (
    PRIORITY_RANK,
    Announcement,
    AnnouncementAttachment,
    Delivery,
)
from smartcommune.platform.announcements.schemas import (
    AnnouncementIn,
    AnnouncementOut,
    AnnouncementPatch,
    AttachmentOut,
    DeliveryOut,
    DeliveryReport,
    LoudspeakerItem,
    Targeting,
)
from smartcommune.platform.files.models import StoredFile
from smartcommune.platform.inbox.models import InboxItem
from smartcommune.platform.inbox.service import Message, notify
from smartcommune.platform.notifications.models import PushSubscription
from smartcommune.platform.residents.models import Resident
from smartcommune.platform.residents.scope import outside_scope
from smartcommune.platform.villages.models import Village
from smartcommune.platform.worker.outbox import enqueue_after_commit
from smartcommune.tenants import audit
from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.errors import Conflict, InvalidInput, NotFound

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
# The village loudspeaker's daily reading times (the usual morning and late-afternoon broadcasts).
LOUDSPEAKER_SLOTS = (time(6, 0), time(17, 0))
DRAIN_TASK = "smartcommune.platform.notifications.tasks.drain"
URGENT_DRAIN_TASK = "smartcommune.platform.notifications.urgent.drain"
ATTACHMENT_PURPOSE = "announcement"


def drain_task_for(priority: str) -> str:
    return URGENT_DRAIN_TASK if priority in ("urgent", "emergency") else DRAIN_TASK


def _now() -> datetime:
    return datetime.now(UTC)


# -- reading ------------------------------------------------------------------------------------------
def attachments_of(db: Session, announcement_ids: Sequence[int]) -> dict[int, list[AttachmentOut]]:
    if not announcement_ids:
        return {}
    rows = db.execute(
        select(AnnouncementAttachment.announcement_id, StoredFile)
        .join(StoredFile, StoredFile.id == AnnouncementAttachment.file_id)
        .where(AnnouncementAttachment.announcement_id.in_(announcement_ids))
        .order_by(StoredFile.created_at)
    ).all()
    found: dict[int, list[AttachmentOut]] = {}
    for announcement_id, f in rows:
        found.setdefault(announcement_id, []).append(
            AttachmentOut(id=f.id, name=f.name, content_type=f.content_type, size_bytes=f.size_bytes)
        )
    return found


def to_out(db: Session, items: Sequence[Announcement]) -> list[AnnouncementOut]:
    files = attachments_of(db, [a.id for a in items])
    return [AnnouncementOut.model_validate(a).model_copy(update={"attachments": files.get(a.id, [])}) for a in items]


def _snapshot(db: Session, a: Announcement) -> dict[str, Any]:
    return to_out(db, [a])[0].model_dump(mode="json")


def _visible_to(db: Session, subject: str) -> ColumnElement[bool]:
    """Published, current, and meant for this resident (whole commune, or their village/group)."""
    now = _now()
    current = and_(
        Announcement.status == "published",
        Announcement.publish_at <= now,
        or_(Announcement.expires_at.is_(None), Announcement.expires_at > now),
    )
    me = db.scalar(
        select(Resident).where(
            Resident.account_subject == subject, Resident.status == "verified", Resident.archived_at.is_(None)
        )
    )
    if me is None:
        return and_(current, Announcement.whole_commune.is_(True))
    village_ok = or_(
        func.cardinality(Announcement.target_village_ids) == 0,
        Announcement.target_village_ids.any_() == me.village_id if me.village_id is not None else literal(False),
    )
    groups_ok = or_(
        func.cardinality(Announcement.target_groups) == 0,
        Announcement.target_groups.overlap(me.groups or []),
    )
    return and_(current, or_(Announcement.whole_commune.is_(True), and_(village_ok, groups_ok)))


def list_announcements(
    db: Session, *, subject: str, manager: bool, status: str | None, limit: int, before_id: int | None
) -> list[AnnouncementOut]:
    query = select(Announcement).order_by(Announcement.id.desc()).limit(limit)
    if before_id is not None:
        query = query.where(Announcement.id < before_id)
    if manager:
        if status:
            query = query.where(Announcement.status == status)
    else:
        query = query.where(_visible_to(db, subject))
    return to_out(db, db.scalars(query).all())


def get(db: Session, announcement_id: int, *, subject: str, manager: bool) -> Announcement:
    query = select(Announcement).where(Announcement.id == announcement_id)
    if not manager:
        query = query.where(_visible_to(db, subject))
    announcement = db.scalar(query)
    if announcement is None:
        raise NotFound("Không tìm thấy thông báo.", "Announcement not found.", code="announcement_not_found")
    return announcement


def attachment(db: Session, announcement: Announcement, file_id: uuid.UUID) -> None:
    linked = db.scalar(
        select(AnnouncementAttachment.file_id).where(
            AnnouncementAttachment.announcement_id == announcement.id, AnnouncementAttachment.file_id == file_id
        )
    )
    if linked is None:
        raise NotFound("Không tìm thấy tệp đính kèm.", "Attachment not found.", code="attachment_not_found")


# -- writing ------------------------------------------------------------------------------------------
def check_scope(whole_commune: bool, village_ids: Sequence[int], scope: frozenset[int] | None) -> None:
    """A village head (scope = their villages) may target only residents of their own village(s)."""
    if scope is None:
        return
    if whole_commune or not village_ids or not set(village_ids) <= scope:
        raise outside_scope(scope)


def _check_targets(db: Session, data: AnnouncementIn) -> None:
    wanted = set(data.target.village_ids)
    if wanted:
        known = set(db.scalars(select(Village.id).where(Village.id.in_(wanted))))
        if missing := sorted(wanted - known):
            raise InvalidInput(
                "Thôn/bản không tồn tại.",
                "Unknown village.",
                code="unknown_village",
                field="target.village_ids",
                village_ids=missing,
            )
    files = set(data.attachment_ids)
    if files:
        known_files = set(
            db.scalars(select(StoredFile.id).where(StoredFile.id.in_(files), StoredFile.purpose == ATTACHMENT_PURPOSE))
        )
        if missing_files := sorted(str(f) for f in files - known_files):
            raise InvalidInput(
                "Tệp đính kèm không tồn tại.",
                "Unknown attachment.",
                code="unknown_attachment",
                field="attachment_ids",
                attachment_ids=missing_files,
            )


def create(
    db: Session,
    tenant: TenantInfo,
    data: AnnouncementIn,
    *,
    actor: str,
    actor_kind: str,
    scope: frozenset[int] | None = None,
) -> Announcement:
    check_scope(data.target.whole_commune, data.target.village_ids, scope)
    now = _now()
    publish_at = data.publish_at or now
    if data.expires_at is not None and data.expires_at <= max(publish_at, now):
        raise InvalidInput(
            "Thời điểm hết hạn phải sau thời điểm đăng.",
            "The expiry must be after the publication time.",
            code="invalid_expiry",
            field="expires_at",
        )
    _check_targets(db, data)
    announcement = Announcement(
        title=data.title,
        body=data.body,
        priority=data.priority,
        status="scheduled",
        publish_at=publish_at,
        expires_at=data.expires_at,
        whole_commune=data.target.whole_commune,
        target_village_ids=sorted(set(data.target.village_ids)),
        target_groups=sorted(set(data.target.groups)),
        channels=sorted(set(data.channels)),
        loudspeaker=data.loudspeaker,
        recipients=0,
        created_by=actor,
    )
    db.add(announcement)
    db.flush()
    for file_id in dict.fromkeys(data.attachment_ids):
        db.add(AnnouncementAttachment(announcement_id=announcement.id, file_id=file_id))
    if publish_at <= now:
        publish(db, tenant, announcement)
    db.flush()
    audit.record(
        db,
        actor=actor,
        actor_kind=actor_kind,
        action="create",
        object_type="announcement",
        object_id=str(announcement.id),
        after=_snapshot(db, announcement),
    )
    return announcement


def get_for_change(db: Session, announcement_id: int, scope: frozenset[int] | None) -> Announcement:
    a = db.get(Announcement, announcement_id)
    if a is None:
        raise NotFound("Không tìm thấy thông báo.", "Announcement not found.", code="announcement_not_found")
    check_scope(a.whole_commune, a.target_village_ids, scope)
    return a


def update(
    db: Session,
    tenant: TenantInfo,
    announcement_id: int,
    patch: AnnouncementPatch,
    *,
    actor: str,
    actor_kind: str,
    scope: frozenset[int] | None = None,
) -> Announcement:
    """Edit an announcement before it is published; published or cancelled ones are history (409)."""
    a = get_for_change(db, announcement_id, scope)
    if a.status != "scheduled":
        raise Conflict(
            "Chỉ sửa được thông báo chưa đăng.",
            "Only an announcement not yet published can be edited.",
            code="announcement_not_editable",
            status=a.status,
        )
    before = _snapshot(db, a)
    current = to_out(db, [a])[0]
    changes = patch.model_dump(exclude_unset=True)
    merged = AnnouncementIn(
        title=patch.title if patch.title is not None else a.title,
        body=patch.body if patch.body is not None else a.body,
        priority=patch.priority or a.priority,  # type: ignore[arg-type]
        publish_at=patch.publish_at if patch.publish_at is not None else a.publish_at,
        expires_at=patch.expires_at if "expires_at" in changes else a.expires_at,
        target=patch.target
        if patch.target is not None
        else Targeting(whole_commune=a.whole_commune, village_ids=a.target_village_ids, groups=a.target_groups),
        channels=patch.channels if patch.channels is not None else a.channels,  # type: ignore[arg-type]
        loudspeaker=patch.loudspeaker if patch.loudspeaker is not None else a.loudspeaker,
        attachment_ids=patch.attachment_ids
        if patch.attachment_ids is not None
        else [f.id for f in current.attachments],
    )
    check_scope(merged.target.whole_commune, merged.target.village_ids, scope)
    now = _now()
    publish_at = merged.publish_at or now
    if merged.expires_at is not None and merged.expires_at <= max(publish_at, now):
        raise InvalidInput(
            "Thời điểm hết hạn phải sau thời điểm đăng.",
            "The expiry must be after the publication time.",
            code="invalid_expiry",
            field="expires_at",
        )
    _check_targets(db, merged)
    a.title, a.body, a.priority = merged.title, merged.body, merged.priority
    a.publish_at, a.expires_at = publish_at, merged.expires_at
    a.whole_commune = merged.target.whole_commune
    a.target_village_ids = sorted(set(merged.target.village_ids))
    a.target_groups = sorted(set(merged.target.groups))
    a.channels, a.loudspeaker = sorted(set(merged.channels)), merged.loudspeaker
    if patch.attachment_ids is not None:
        db.execute(delete(AnnouncementAttachment).where(AnnouncementAttachment.announcement_id == a.id))
        db.flush()
        for file_id in dict.fromkeys(patch.attachment_ids):
            db.add(AnnouncementAttachment(announcement_id=a.id, file_id=file_id))
    db.flush()
    if publish_at <= now:
        publish(db, tenant, a)
        db.flush()
    audit.record(
        db,
        actor=actor,
        actor_kind=actor_kind,
        action="update",
        object_type="announcement",
        object_id=str(a.id),
        before=before,
        after=_snapshot(db, a),
    )
    return a


def _targeted(a: Announcement) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [Resident.status == "verified", Resident.archived_at.is_(None)]
    if not a.whole_commune:
        if a.target_village_ids:
            conditions.append(Resident.village_id.in_(a.target_village_ids))
        if a.target_groups:
            conditions.append(Resident.groups.overlap(a.target_groups))
    return conditions


def _queue(db: Session, a: Announcement, channel: str, *reachable: ColumnElement[bool]) -> None:
    """One INSERT … SELECT per channel: the outbox rows, never a row per round trip."""
    rank = PRIORITY_RANK[a.priority]
    status = "delivered" if channel == "inbox" else "queued"
    sent_at: ColumnElement[datetime] = func.now() if channel == "inbox" else null().cast(Delivery.sent_at.type)
    rows = select(
        literal(a.id), Resident.id, literal(channel), literal(rank), literal(status), literal(0), sent_at
    ).where(*_targeted(a), *reachable)
    db.execute(
        insert(Delivery).from_select(
            ["announcement_id", "resident_id", "channel", "priority", "status", "attempts", "sent_at"], rows
        )
    )


def publish(db: Session, tenant: TenantInfo, a: Announcement) -> None:
    """Fan out now, in the caller's transaction (see the module docstring)."""
    targeted = _targeted(a)
    a.recipients = int(db.scalar(select(func.count()).select_from(Resident).where(*targeted)) or 0)
    subjects = db.scalars(select(Resident.account_subject).where(*targeted, Resident.account_subject.is_not(None)))
    notify(
        db,
        [s for s in subjects if s],
        Message(
            kind="announcement",
            title=a.title,
            body=a.body,
            link=f"/api/v1/announcements/{a.id}",
            priority=a.priority,
            source_type="announcement",
            source_id=str(a.id),
            data={"expires_at": a.expires_at.isoformat() if a.expires_at else None},
        ),
    )
    _queue(db, a, "inbox", Resident.account_subject.is_not(None))
    if "push" in a.channels:
        subscribed = exists().where(PushSubscription.subject == Resident.account_subject)
        _queue(db, a, "push", Resident.account_subject.is_not(None), subscribed)
    for channel in ("sms", "zalo"):
        if channel in a.channels:
            _queue(db, a, channel, Resident.phone.is_not(None))
    a.status = "published"
    a.published_at = _now()
    if any(c in a.channels for c in ("push", "sms", "zalo")):
        enqueue_after_commit(db, drain_task_for(a.priority), tenant.commune_code)


def publish_due(db: Session, tenant: TenantInfo, *, limit: int = 50) -> int:
    """Publish scheduled announcements whose time has come (the sweep calls this)."""
    due = db.scalars(
        select(Announcement)
        .where(Announcement.status == "scheduled", Announcement.publish_at <= _now())
        .order_by(Announcement.publish_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    for a in due:
        publish(db, tenant, a)
        audit.record(
            db, actor="system", actor_kind="system", action="publish", object_type="announcement", object_id=str(a.id)
        )
    return len(due)


def cancel(
    db: Session, announcement_id: int, *, actor: str, actor_kind: str, scope: frozenset[int] | None = None
) -> Announcement:
    a = get_for_change(db, announcement_id, scope)
    if a.status == "cancelled":
        raise Conflict("Thông báo đã bị hủy.", "The announcement is already cancelled.", code="already_cancelled")
    before = _snapshot(db, a)
    a.status = "cancelled"
    db.execute(
        sql_update(Delivery)
        .where(Delivery.announcement_id == a.id, Delivery.status == "queued")
        .values(status="failed", error="cancelled", updated_at=func.now())
    )
    db.flush()
    audit.record(
        db,
        actor=actor,
        actor_kind=actor_kind,
        action="cancel",
        object_type="announcement",
        object_id=str(a.id),
        before=before,
        after=_snapshot(db, a),
    )
    return a


# -- delivery report ----------------------------------------------------------------------------------
def _effective_status() -> ColumnElement[str]:
    """An inbox delivery reads as `read` once the resident opened the inbox item (the read receipt)."""
    read = (
        select(InboxItem.id)
        .where(
            InboxItem.source_type == "announcement",
            InboxItem.source_id == func.cast(Delivery.announcement_id, InboxItem.source_id.type),
            InboxItem.recipient == Resident.account_subject,
            InboxItem.read_at.is_not(None),
        )
        .exists()
    )
    return case((and_(Delivery.channel == "inbox", read), literal("read")), else_=Delivery.status)


def delivery_report(
    db: Session,
    announcement_id: int,
    *,
    channel: str | None,
    status: str | None,
    limit: int,
    after_id: int,
    scope: frozenset[int] | None = None,
) -> DeliveryReport:
    a = get_for_change(db, announcement_id, scope)
    effective = _effective_status().label("effective")
    base = (
        select(Delivery, effective)
        .join(Resident, Resident.id == Delivery.resident_id)
        .where(Delivery.announcement_id == a.id)
    )
    summary: dict[str, dict[str, int]] = {}
    counted = base.with_only_columns(Delivery.channel, effective).subquery()
    for ch, st, n in db.execute(
        select(counted.c.channel, counted.c.effective, func.count()).group_by(counted.c.channel, counted.c.effective)
    ):
        summary.setdefault(ch, {})[st] = int(n)
    query = base.where(Delivery.id > after_id).order_by(Delivery.id).limit(limit)
    if channel:
        query = query.where(Delivery.channel == channel)
    if status:
        query = query.where(effective == status)
    items = [
        DeliveryOut(
            id=d.id,
            resident_id=d.resident_id,
            channel=d.channel,
            status=st,
            attempts=d.attempts,
            error=d.error,
            queued_at=d.queued_at,
            sent_at=d.sent_at,
            delivered_at=d.delivered_at,
        )
        for d, st in db.execute(query)
    ]
    return DeliveryReport(announcement_id=a.id, recipients=a.recipients, summary=summary, items=items)


# -- village loudspeaker ------------------------------------------------------------------------------
_LEAD = {
    "emergency": ("THÔNG BÁO KHẨN CẤP", "EMERGENCY"),
    "urgent": ("THÔNG BÁO KHẨN", "URGENT"),
    "normal": ("THÔNG BÁO", "NOTICE"),
}


def loudspeaker_text(tenant: TenantInfo, a: Announcement) -> str:
    lead = _LEAD[a.priority][0]
    return f"{lead} của Ủy ban nhân dân {tenant.name}: {a.title}. {a.body}"


def loudspeaker_schedule(
    db: Session, tenant: TenantInfo, *, day: date, village_id: int | None
) -> list[LoudspeakerItem]:
    """What each village's loudspeaker reads on `day`: every current announcement marked for it at each
    regular slot; urgent and emergency ones also at once, at their publication time."""
    start = datetime.combine(day, time(0), LOCAL_TZ)
    end = start + timedelta(days=1)
    candidates = db.scalars(
        select(Announcement)
        .where(
            Announcement.loudspeaker.is_(True),
            Announcement.status.in_(("scheduled", "published")),
            Announcement.publish_at < end,
            or_(Announcement.expires_at.is_(None), Announcement.expires_at > start),
        )
        .order_by(Announcement.id)
    ).all()
    villages = {v.id: v.name for v in db.scalars(select(Village).order_by(Village.id))}
    items: list[LoudspeakerItem] = []
    for a in candidates:
        times = [datetime.combine(day, slot, LOCAL_TZ) for slot in LOUDSPEAKER_SLOTS]
        if a.priority != "normal" and start <= a.publish_at < end:
            times.append(a.publish_at.astimezone(LOCAL_TZ))
        times = [t for t in times if a.publish_at <= t and (a.expires_at is None or t < a.expires_at)]
        targets = a.target_village_ids if (not a.whole_commune and a.target_village_ids) else list(villages)
        for vid in targets:
            if vid not in villages or (village_id is not None and vid != village_id):
                continue
            for t in times:
                items.append(
                    LoudspeakerItem(
                        announcement_id=a.id,
                        village_id=vid,
                        village_name=villages[vid],
                        read_at=t,
                        priority=a.priority,
                        text=loudspeaker_text(tenant, a),
                    )
                )
    items.sort(key=lambda i: (i.read_at, i.village_id, PRIORITY_RANK[i.priority], i.announcement_id))
    return items


# -- push subscriptions -------------------------------------------------------------------------------
def subscribe(db: Session, subject: str, endpoint: str, p256dh: str, auth: str, user_agent: str | None) -> None:
    """Idempotent per endpoint: a browser re-subscribing (or changing hands) moves the row to this account."""
    stmt = pg_insert(PushSubscription).values(
        subject=subject, endpoint=endpoint, p256dh=p256dh, auth=auth, user_agent=user_agent
    )
    db.execute(
        stmt.on_conflict_do_update(
            index_elements=["endpoint"],
            set_={"subject": subject, "p256dh": p256dh, "auth": auth, "user_agent": user_agent},
        )
    )


def unsubscribe(db: Session, subject: str, endpoint: str) -> int:
    """Idempotent: unsubscribing an endpoint that is gone (or never was this account's) removes nothing."""
    result = db.execute(
        delete(PushSubscription).where(PushSubscription.endpoint == endpoint, PushSubscription.subject == subject)
    )
    return int(getattr(result, "rowcount", 0) or 0)
