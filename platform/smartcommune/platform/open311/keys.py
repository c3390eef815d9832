"""Per-commune Open311 API keys: issued by commune admins, shown once, stored as SHA-256."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from smartcommune.platform.reports.models import Open311ApiKey, Report
from smartcommune.tenants import audit
from smartcommune.tenants.errors import NotFound, RateLimited

KEY_PREFIX = "sc311_"
REQUESTS_PER_HOUR_PER_KEY = 1000


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def issue(db: Session, name: str, *, actor: str, actor_kind: str) -> tuple[Open311ApiKey, str]:
    """A new key; the plain value is returned this once and never stored."""
    plain = KEY_PREFIX + secrets.token_urlsafe(24)
    row = Open311ApiKey(name=name, prefix=plain[:12], key_hash=_hash(plain), created_by=actor)
    db.add(row)
    db.flush()
    audit.record(
        db,
        actor=actor,
        actor_kind=actor_kind,
        action="create",
        object_type="open311_api_key",
        object_id=str(row.id),
        after={"name": name, "prefix": row.prefix},
    )
    return row, plain


def list_keys(db: Session) -> Sequence[Open311ApiKey]:
    return db.scalars(select(Open311ApiKey).order_by(Open311ApiKey.id)).all()


def revoke(db: Session, key_id: int, *, actor: str, actor_kind: str) -> None:
    row = db.get(Open311ApiKey, key_id)
    if row is None or row.revoked_at is not None:
        raise NotFound("Không tìm thấy khoá API.", "API key not found.", code="api_key_not_found")
    row.revoked_at = datetime.now(UTC)
    db.flush()
    audit.record(
        db,
        actor=actor,
        actor_kind=actor_kind,
        action="revoke",
        object_type="open311_api_key",
        object_id=str(row.id),
        after={"prefix": row.prefix},
    )


def verify(db: Session, plain: str) -> Open311ApiKey | None:
    if not plain.startswith(KEY_PREFIX):
        return None
    row = db.scalar(select(Open311ApiKey).where(Open311ApiKey.key_hash == _hash(plain)))
    return row if row is not None and row.revoked_at is None else None


def check_rate(db: Session, key: Open311ApiKey) -> None:
    since = datetime.now(UTC) - timedelta(hours=1)
    used = db.scalar(select(func.count()).where(Report.api_key_id == key.id, Report.created_at >= since)) or 0
    if used >= REQUESTS_PER_HOUR_PER_KEY:
        raise RateLimited(
            "Khoá API đã vượt giới hạn số yêu cầu trong một giờ.",
            "This API key exceeded its hourly request limit.",
            code="rate_limited",
        )
