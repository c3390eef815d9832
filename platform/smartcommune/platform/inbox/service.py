"""Put messages into inboxes. Bulk-friendly: one INSERT for any number of recipients."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from smartcommune.platform.inbox.catalog import render
from smartcommune.platform.inbox.models import InboxItem
from smartcommune.tenants.errors import NotFound


@dataclass(frozen=True)
class Message:
    """`code` + `params` (see inbox/catalog.py): rendered for each reader in their language; `title`/`body`
    are then the Vietnamese text kept for channels that cannot render (push, SMS)."""

    kind: str
    title: str = ""
    body: str = ""
    link: str | None = None
    priority: str = "normal"
    source_type: str | None = None
    source_id: str | None = None
    data: dict[str, Any] | None = None
    code: str | None = None
    params: dict[str, Any] | None = None


def notify(db: Session, recipients: Iterable[str], message: Message) -> int:
    """Deliver one message to every recipient (account subjects) in the caller's transaction."""
    if message.code:
        rendered = render(message.code, message.params, "vi")
        title, body = rendered if rendered else (message.title, message.body)
        data = {**(message.data or {}), "code": message.code, "params": message.params or {}}
        message = replace(message, title=(message.title or title)[:300], body=message.body or body, data=data)
    rows = [
        {
            "recipient": r,
            "kind": message.kind,
            "title": message.title,
            "body": message.body,
            "link": message.link,
            "priority": message.priority,
            "source_type": message.source_type,
            "source_id": message.source_id,
            "data": message.data,
        }
        for r in dict.fromkeys(recipients)
    ]
    if rows:
        db.execute(insert(InboxItem), rows)
    return len(rows)


def list_for(db: Session, recipient: str, *, before_id: int | None, limit: int) -> Sequence[InboxItem]:
    query = select(InboxItem).where(InboxItem.recipient == recipient).order_by(InboxItem.id.desc()).limit(limit)
    if before_id is not None:
        query = query.where(InboxItem.id < before_id)
    return db.scalars(query).all()


def unread_count(db: Session, recipient: str) -> int:
    query = select(func.count()).where(InboxItem.recipient == recipient, InboxItem.read_at.is_(None))
    return int(db.scalar(query) or 0)


def mark_read(db: Session, recipient: str, item_id: int) -> InboxItem:
    """Someone else's item is not found, like any object that is not yours."""
    item = db.get(InboxItem, item_id)
    if item is None or item.recipient != recipient:
        raise NotFound("Không tìm thấy tin.", "Message not found.", code="inbox_item_not_found")
    if item.read_at is None:
        db.execute(update(InboxItem).where(InboxItem.id == item_id).values(read_at=func.now()))
        db.refresh(item)
    return item
