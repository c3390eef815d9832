from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Header, Query
from pydantic import BaseModel, ConfigDict

from smartcommune.platform.http.auth import CommuneCall, authorize
from smartcommune.platform.inbox import service
from smartcommune.platform.inbox.catalog import language, render
from smartcommune.platform.inbox.models import InboxItem

router = APIRouter(prefix="/api/v1/inbox", tags=["inbox"])


class InboxItemOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    title: str
    body: str
    link: str | None
    priority: str
    source_type: str | None
    source_id: str | None
    data: dict[str, Any] | None
    created_at: datetime
    read_at: datetime | None
    # The message's code and parameters (web renders from these); title/body are in the reader's language.
    code: str | None = None
    params: dict[str, Any] | None = None


def _out(item: InboxItem, lang: str) -> InboxItemOut:
    out = InboxItemOut.model_validate(item)
    data = item.data or {}
    code, params = data.get("code"), data.get("params")
    if isinstance(code, str):
        out.code, out.params = code, params if isinstance(params, dict) else {}
        rendered = render(code, out.params, lang)
        if rendered:
            out.title, out.body = rendered
    return out


class InboxPage(BaseModel):
    items: list[InboxItemOut]
    unread: int


@router.get("", response_model=InboxPage)
def my_inbox(
    before_id: int | None = None,
    limit: int = Query(default=30, ge=1, le=200),
    lang: str | None = Query(default=None, pattern="^(vi|en)$"),
    accept_language: str | None = Header(default=None),
    call: CommuneCall = Depends(authorize("profile", "read")),
) -> InboxPage:
    """The caller's messages, rendered in their language (`lang`, else Accept-Language, else Vietnamese)."""
    me = call.principal.subject
    items = service.list_for(call.db, me, before_id=before_id, limit=limit)
    reader = language(accept_language, lang)
    return InboxPage(items=[_out(i, reader) for i in items], unread=service.unread_count(call.db, me))


@router.post("/{item_id}/read", response_model=InboxItemOut)
def mark_read(
    item_id: int,
    lang: str | None = Query(default=None, pattern="^(vi|en)$"),
    accept_language: str | None = Header(default=None),
    call: CommuneCall = Depends(authorize("profile", "read")),
) -> InboxItemOut:
    return _out(service.mark_read(call.db, call.principal.subject, item_id), language(accept_language, lang))
