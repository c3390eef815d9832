"""Drain the delivery outbox of one commune: claim queued rows (most urgent first), send, record.

Rows are claimed with `FOR UPDATE SKIP LOCKED`, so several workers drain one commune without sending
a row twice; a worker that dies mid-batch rolls back and the rows are queued again (at-least-once). A
failed send is retried up to `max_attempts` times (by later drains) unless the failure is permanent.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlencode

import structlog
from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from smartcommune.platform.announcements.models import Announcement, Delivery, DeliveryReportRow
from smartcommune.platform.notifications.callbacks import ProviderReport
from smartcommune.platform.notifications.channels import (
    ChannelError,
    Channels,
    PushTarget,
    TextChannel,
    TextMessage,
    get_channels,
    refused_in_production,
)
from smartcommune.platform.notifications.models import PushSubscription
from smartcommune.platform.notifications.settings import get_channel_settings
from smartcommune.platform.residents.models import Resident
from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.session import TenantSession, tenant_transaction
from smartcommune.tenants.settings import get_settings

log = structlog.stdlib.get_logger(__name__)
URGENCY = {"emergency": "high", "urgent": "high", "normal": "normal"}


@dataclass
class DrainResult:
    sent: int = 0
    failed: int = 0
    retry: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"sent": self.sent, "failed": self.failed, "retry": self.retry}


def _send_one(
    db: TenantSession, tenant: TenantInfo, channels: Channels, d: Delivery, a: Announcement, r: Resident
) -> str | None:
    if a.status == "cancelled":
        raise ChannelError("cancelled", permanent=True)
    if a.expires_at is not None and a.expires_at <= datetime.now(UTC):
        raise ChannelError("expired", permanent=True)
    if d.channel == "push":
        if refused_in_production(channels.push):
            raise ChannelError("channel_not_configured", permanent=True)
        subs = db.scalars(select(PushSubscription).where(PushSubscription.subject == r.account_subject)).all()
        if not subs:
            raise ChannelError("no_push_subscription", permanent=True)
        payload = {
            "title": a.title,
            "body": a.body[:300],
            "priority": a.priority,
            "url": f"/t/{tenant.slug}/thong-bao/{a.id}",
            "announcement_id": a.id,
        }
        delivered = 0
        last: ChannelError | None = None
        for sub in subs:
            try:
                channels.push.send(
                    PushTarget(sub.endpoint, sub.p256dh, sub.auth),
                    payload,
                    urgency=URGENCY[a.priority],
                    topic=f"a{a.id}",
                )
                delivered += 1
            except ChannelError as e:
                last = e
                if e.gone:  # the browser unsubscribed: forget the subscription
                    db.execute(delete(PushSubscription).where(PushSubscription.id == sub.id))
        if delivered == 0 and last is not None:
            raise last
        return None
    if r.phone is None:
        raise ChannelError("no_phone", permanent=True)
    channel: TextChannel = channels.sms if d.channel == "sms" else channels.zalo
    if refused_in_production(channel):
        raise ChannelError("channel_not_configured", permanent=True)
    return channel.send(
        TextMessage(
            phone=r.phone,
            title=a.title,
            body=a.body,
            reference=f"{tenant.schema_name}:{d.id}",
            commune_name=tenant.name,
            callback_url=esms_callback_url(tenant) if d.channel == "sms" else "",
        )
    )


def esms_callback_url(tenant: TenantInfo) -> str:
    """The commune's delivery-report hook given to eSMS with each SMS (only when a secret is configured)."""
    secret = get_channel_settings().esms_callback_secret
    if not secret:
        return ""
    base = get_settings().public_url.rstrip("/")
    return f"{base}/t/{tenant.slug}/webhooks/esms/delivery?" + urlencode({"token": secret})


# -- delivery reports ---------------------------------------------------------------------------------
CHANNEL_OF_PROVIDER = {"esms": "sms", "zalo": "zalo"}


def record_report(db: Session, report: ProviderReport) -> str:
    """Apply a provider's delivery report once: `sent` → `delivered` / `failed` (with reason).

    Only final reports are stored (one per provider message id); a replay, or a report about a message
    this commune never sent, changes no delivery. Returns the outcome: applied | duplicate | pending |
    unknown_message | ignored.
    """
    if report.status not in ("delivered", "failed"):
        return "pending"  # e.g. eSMS "waiting for the telco's report": the final one follows
    stored = db.execute(
        pg_insert(DeliveryReportRow)
        .values(
            provider=report.provider,
            provider_message_id=report.message_id[:120],
            status=report.status,
            reason=report.reason,
            payload=report.payload,
        )
        .on_conflict_do_nothing(constraint="uq_delivery_reports_provider_message")
        .returning(DeliveryReportRow.id)
    ).scalar()
    if stored is None:
        return "duplicate"
    d = db.scalar(
        select(Delivery)
        .where(
            Delivery.channel == CHANNEL_OF_PROVIDER[report.provider],
            Delivery.provider_message_id == report.message_id,
        )
        .order_by(Delivery.id)
        .limit(1)
        .with_for_update()
    )
    if d is None:
        return "unknown_message"
    row = db.get(DeliveryReportRow, stored)
    if row is not None:
        row.delivery_id = d.id
    if d.status != "sent":
        return "ignored"  # already final (or cancelled): a late report never rewrites it
    now = datetime.now(UTC)
    d.status, d.updated_at = report.status, now
    if report.status == "delivered":
        d.delivered_at = now
    else:
        d.error = report.reason
    db.flush()
    return "applied"


def drain_batch(tenant: TenantInfo, *, batch: int = 200, channels: Channels | None = None) -> DrainResult:
    """One transaction: claim up to `batch` queued rows, send each, record the outcome."""
    channels = channels or get_channels()
    max_attempts = get_channel_settings().max_attempts
    result = DrainResult()
    with tenant_transaction(tenant) as db:
        claimed = db.execute(
            select(Delivery, Announcement, Resident)
            .join(Announcement, Announcement.id == Delivery.announcement_id)
            .join(Resident, Resident.id == Delivery.resident_id)
            .where(Delivery.status == "queued")
            .order_by(Delivery.priority, Delivery.id)
            .limit(batch)
            .with_for_update(of=Delivery, skip_locked=True)
        ).all()
        now = datetime.now(UTC)
        for d, a, r in claimed:
            d.attempts += 1
            d.updated_at = now
            try:
                d.provider_message_id = _send_one(db, tenant, channels, d, a, r)
                d.status, d.sent_at, d.error = "sent", datetime.now(UTC), None
                result.sent += 1
            except ChannelError as e:
                d.error = e.reason
                if e.permanent or d.attempts >= max_attempts:
                    d.status = "failed"
                    result.failed += 1
                else:
                    result.retry += 1  # stays queued for the next drain
    return result


def drain(
    tenant: TenantInfo, *, batch: int = 200, max_batches: int = 1000, channels: Channels | None = None
) -> DrainResult:
    """Drain until nothing claimable is left (rows to retry wait for the next drain)."""
    total = DrainResult()
    for _ in range(max_batches):
        r = drain_batch(tenant, batch=batch, channels=channels)
        total.sent += r.sent
        total.failed += r.failed
        total.retry += r.retry
        if r.sent + r.failed == 0 or r.sent + r.failed + r.retry < batch:
            break
    if total.sent or total.failed:
        log.info("deliveries_drained", **total.as_dict())
    return total


def queued_counts(tenant: TenantInfo) -> Counter[str]:
    with tenant_transaction(tenant) as db:
        rows = db.execute(select(Delivery.channel, Delivery.id).where(Delivery.status == "queued")).all()
    return Counter(ch for ch, _ in rows)
