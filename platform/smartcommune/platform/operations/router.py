"""Operations centre: one cheap overview per commune (a dashboard polls it) and an SSE stream of changes."""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from smartcommune.platform.cameras import service as cameras
from smartcommune.platform.cameras.schemas import CameraEventOut
from smartcommune.platform.devices import service as devices
from smartcommune.platform.devices.schemas import AlarmOut
from smartcommune.platform.http.auth import CommuneCall, authorize
from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.session import tenant_transaction

router = APIRouter(prefix="/api/v1/operations", tags=["operations"])


def overview_for(db: Any) -> dict[str, Any]:
    return {
        "at": datetime.now(UTC).isoformat(),
        "cameras": cameras.counts_by_status(db),
        "recent_events": [
            CameraEventOut.model_validate(e).model_dump(mode="json") for e in cameras.list_events(db, limit=10)
        ],
        "devices": devices.counts(db),
        "alarms": [AlarmOut.model_validate(a).model_dump(mode="json") for a in devices.list_alarms(db, "active", 10)],
    }


@router.get("/overview")
def overview(call: CommuneCall = Depends(authorize("dashboard", "read"))) -> dict[str, Any]:
    """Cameras by status, latest events, devices online/offline, active alarms: a handful of indexed queries."""
    return overview_for(call.db)


def _snapshot(tenant: TenantInfo) -> dict[str, Any]:
    with tenant_transaction(tenant) as db:
        return overview_for(db)


@router.get("/stream")
async def stream(
    request: Request, once: bool = False, call: CommuneCall = Depends(authorize("dashboard", "read"))
) -> StreamingResponse:
    """Server-sent events: an `overview` event whenever the overview changes (checked every 2 s)."""
    tenant = call.tenant
    call.db.close()  # the stream outlives the request's unit of work

    async def events() -> AsyncIterator[bytes]:
        last = ""
        while not await request.is_disconnected():
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
            await asyncio.sleep(2.0)

    return StreamingResponse(events(), media_type="text/event-stream", headers={"Cache-Control": "no-store"})
