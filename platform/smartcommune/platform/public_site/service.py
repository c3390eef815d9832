"""What the public pages read that no other domain serves yet: the commune-wide announcements."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from smartcommune.platform.announcements.models import Announcement


def public_announcements(db: Session, *, limit: int) -> Sequence[Announcement]:
    """Published to the whole commune, not expired, newest first. An announcement for one village or group
    is for its recipients only and never shown here."""
    now = datetime.now(UTC)
    return db.scalars(
        select(Announcement)
        .where(
            Announcement.status == "published",
            Announcement.whole_commune.is_(True),
            Announcement.publish_at <= now,
            or_(Announcement.expires_at.is_(None), Announcement.expires_at > now),
        )
        .order_by(Announcement.published_at.desc().nulls_last(), Announcement.id.desc())
        .limit(limit)
    ).all()
