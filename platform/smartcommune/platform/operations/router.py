"""Operations centre: one cheap overview per commune (a dashboard polls it) and an SSE stream of changes."""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import AsyncGenerator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse
from sqlalchemy import func, select
from starlette.concurrency import run_in_threadpool

from smartcommune.platform.cameras import service as cameras
from smartcommune.platform.cameras.schemas import CameraEventOut
from smartcommune.platform.devices import service as devices
from smartcommune.platform.devices.schemas import AlarmOut
from smartcommune.platform.http.auth import CommuneCall, authorize
from smartcommune.platform.reports.models import OPEN_STATUSES, Report
from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.session import tenant_transaction

router = APIRouter(prefix="/api/v1/operations", tags=["operations"])
DUE_SOON = timedelta(hours=4)  # an open report whose SLA ends within this is "due soon"
SSE_INTERVAL_S = 2.0


def reports_by_sla(db: Any, now: datetime | None = None) -> dict[str, Any]:
    """Open field reports (not hidden) by SLA state: overdue, due within 4 h, on track; and by status.

    One aggregate over the reports table (its status/SLA index), no rows fetched but the 5 most overdue."""
    now = now or datetime.now(UTC)
    open_ = (Report.status.in_(OPEN_STATUSES), Report.hidden.is_(False))
    overdue, due_soon, on_track = db.execute(
        select(
            func.count().filter(Report.sla_due_at < now),
            func.count().filter(Report.sla_due_at >= now, Report.sla_due_at < now + DUE_SOON),
            func.count().filter(Report.sla_due_at >= now + DUE_SOON),
        ).where(*open_)
    ).one()
    by_status = dict(db.execute(select(Report.status, func.count()).where(*open_).group_by(Report.status)).all())
    most_overdue = db.execute(
        select(Report.id, Report.status, Report.sla_due_at)
        .where(*open_, Report.sla_due_at < now)
        .order_by(Report.sla_due_at)
        .limit(5)
    ).all()
    return {
        "open": int(overdue + due_soon + on_track),
        "by_sla": {"overdue": int(overdue), "due_soon": int(due_soon), "on_track": int(on_track)},
        "by_status": {s: int(by_status.get(s, 0)) for s in OPEN_STATUSES},
        "most_overdue": [
            {"id": rid, "status": status, "sla_due_at": due.isoformat()} for rid, status, due in most_overdue
        ],
    }


def overview_for(db: Any) -> dict[str, Any]:
    return {
        "at": datetime.now(UTC).isoformat(),
        "cameras": cameras.counts_by_status(db),
        "recent_events": [
            CameraEventOut.model_validate(e).model_dump(mode="json") for e in cameras.list_events(db, limit=10)
        ],
        "devices": devices.counts(db),
        "alarms": [AlarmOut.model_validate(a).model_dump(mode="json") for a in devices.list_alarms(db, "active", 10)],
        "reports": reports_by_sla(db),
    }


@router.get("/overview")
def overview(call: CommuneCall = Depends(authorize("dashboard", "read"))) -> dict[str, Any]:
    """Cameras by status, latest events, devices online/offline, active alarms, open field reports by SLA
    state: a handful of indexed queries."""
    return overview_for(call.db)


def _snapshot(tenant: TenantInfo) -> dict[str, Any]:
    with tenant_transaction(tenant) as db:
        return overview_for(db)


async def overview_events(
    tenant: TenantInfo,
    is_disconnected: Callable[[], Awaitable[bool]],
    *,
    once: bool = False,
    interval_s: float = SSE_INTERVAL_S,
) -> AsyncGenerator[bytes, None]:
    """An `overview` event whenever the commune's overview changes (checked every `interval_s`), else a
    keep-alive comment. Only this commune's data: every snapshot runs in its own tenant transaction."""
    last = ""
    while not await is_disconnected():
        data = await run_in_threadpool(_snapshot, tenant)
        body = json.dumps({k: v for k, v in data.items() if k != "at"}, sort_keys=True, default=str)
        digest = hashlib.sha256(body.encode()).hexdigest()
        if digest != last:
            last = digest
            yield f"event: overview\nid: {digest[:16]}\ndata: {json.dumps(data, default=str)}\n\n".encode()
            if once:
                return
        else:
            yield b": keep-alive\n\n"
        await asyncio.sleep(interval_s)


@router.get("/stream")
async def stream(
    request: Request, once: bool = False, call: CommuneCall = Depends(authorize("dashboard", "read"))
) -> StreamingResponse:
    """Server-sent events: an `overview` event whenever the overview changes (checked every 2 s)."""
    tenant = call.tenant
    call.db.close()  # the stream outlives the request's unit of work
    return StreamingResponse(
        overview_events(tenant, request.is_disconnected, once=once),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store"},
    )
