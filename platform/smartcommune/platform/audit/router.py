from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict
from sqlalchemy import select

from smartcommune.platform.http.auth import CommuneCall, authorize
from smartcommune.tenants.audit import AuditEntry

router = APIRouter(prefix="/api/v1/audit", tags=["audit"])


class AuditOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    actor: str
    actor_kind: str
    action: str
    object_type: str
    object_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    request_id: str | None


@router.get("", response_model=list[AuditOut])
def list_audit(
    object_type: str | None = None,
    before_id: int | None = Query(default=None, description="keyset pagination: entries older than this id"),
    limit: int = Query(default=50, ge=1, le=500),
    call: CommuneCall = Depends(authorize("audit", "read")),
) -> list[AuditOut]:
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if object_type:
        query = query.where(AuditEntry.object_type == object_type)
    if before_id is not None:
        query = query.where(AuditEntry.id < before_id)
    return [AuditOut.model_validate(e) for e in call.db.scalars(query)]
