from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict

from smartcommune.platform.http.auth import CommuneCall, authorize
from smartcommune.platform.inbox import service

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


class InboxPage(BaseModel):
    items: list[InboxItemOut]
    unread: int


@router.get("", response_model=InboxPage)
def my_inbox(
    before_id: int | None = None,
    limit: int = Query(default=30, ge=1, le=200),
    call: CommuneCall = Depends(authorize("profile", "read")),
) -> InboxPage:
    me = call.principal.subject
    items = service.list_for(call.db, me, before_id=before_id, limit=limit)
    return InboxPage(items=[InboxItemOut.model_validate(i) for i in items], unread=service.unread_count(call.db, me))


@router.post("/{item_id}/read", response_model=InboxItemOut)
def mark_read(item_id: int, call: CommuneCall = Depends(authorize("profile", "read"))) -> InboxItemOut:
    return InboxItemOut.model_validate(service.mark_read(call.db, call.principal.subject, item_id))
