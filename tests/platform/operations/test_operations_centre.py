"""Operations centre behaviour against real PostgreSQL with two communes: overview counts per commune
(cameras, devices, open field reports by SLA state), the SSE stream sending an event when a camera's or a
device's status changes, and commune A never seeing commune B."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

from sqlalchemy import delete

from smartcommune.platform.cameras import service as cameras
from smartcommune.platform.cameras.models import Camera
from smartcommune.platform.cameras.schemas import CameraIn
from smartcommune.platform.devices import service as devices
from smartcommune.platform.devices.models import Device
from smartcommune.platform.devices.schemas import DeviceIn, ProfileIn
from smartcommune.platform.operations.router import overview_events, overview_for, reports_by_sla
from smartcommune.platform.reports.models import Report, ReportCategory
from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.session import tenant_transaction

ACTOR = {"actor": "ops-tests", "actor_kind": "provider"}


def _overview(tenant: TenantInfo) -> dict[str, Any]:
    with tenant_transaction(tenant) as db:
        return overview_for(db)


def _add_reports(tenant: TenantInfo, hours_left: list[float], *, status: str = "new") -> list[int]:
    with tenant_transaction(tenant) as db:
        category = ReportCategory(
            code=f"ops-{uuid.uuid4().hex[:6]}", name="Đường hỏng", sla_hours=48, responsible_role="commune_official"
        )
        db.add(category)
        db.flush()
        now = devices.now()
        rows = [
            Report(category_id=category.id, description="Ổ gà", status=status, sla_due_at=now + timedelta(hours=h))
            for h in hours_left
        ]
        db.add_all(rows)
        db.flush()
        return [r.id for r in rows]


def _add_camera(tenant: TenantInfo, status: str) -> int:
    with tenant_transaction(tenant) as db:
        camera = cameras.create(db, CameraIn(name="Chợ xã", stream_url="rtsp://8.8.8.8:554/live"), **ACTOR)
        camera.status, camera.motion_enabled = status, False
        return camera.id


def _add_device(tenant: TenantInfo) -> int:
    with tenant_transaction(tenant) as db:
        profile = devices.create_profile(
            db,
            ProfileIn.model_validate({"code": f"o-{uuid.uuid4().hex[:6]}", "name": "Van", "fields": [{"name": "t"}]}),
            **ACTOR,
        )
        tag = uuid.uuid4().hex[:6]
        ((device, _),) = devices.create_devices(
            db, tenant, [DeviceIn(uid=f"ops-{tag}", serial=tag, name="Van tưới", profile_id=profile.id)], **ACTOR
        )
        device.last_seen_at = devices.now()
        return device.id


def test_overview_counts_are_per_commune_and_reports_are_grouped_by_sla(
    communes: tuple[TenantInfo, TenantInfo],
) -> None:
    a, b = communes
    before_a, before_b = _overview(a), _overview(b)
    _add_camera(a, "offline")
    _add_device(a)
    overdue, soon, later = _add_reports(a, [-3, 2, 30])
    _add_reports(a, [-50], status="resolved")  # closed: not open, whatever its SLA
    after_a, after_b = _overview(a), _overview(b)
    assert after_a["cameras"].get("offline", 0) == before_a["cameras"].get("offline", 0) + 1
    assert after_a["devices"]["total"] == before_a["devices"]["total"] + 1
    assert after_a["devices"]["online"] == before_a["devices"]["online"] + 1
    sla_a, sla_before = after_a["reports"]["by_sla"], before_a["reports"]["by_sla"]
    assert {k: sla_a[k] - sla_before[k] for k in sla_a} == {"overdue": 1, "due_soon": 1, "on_track": 1}
    assert after_a["reports"]["open"] == before_a["reports"]["open"] + 3
    assert after_a["reports"]["by_status"]["new"] == before_a["reports"]["by_status"]["new"] + 3
    assert overdue in [r["id"] for r in after_a["reports"]["most_overdue"]]
    assert soon not in [r["id"] for r in after_a["reports"]["most_overdue"]]
    # Commune B's overview did not move.
    assert {k: v for k, v in after_b.items() if k != "at"} == {k: v for k, v in before_b.items() if k != "at"}
    with tenant_transaction(b) as db:
        assert later not in [r["id"] for r in reports_by_sla(db)["most_overdue"]]


async def _next_event(events: AsyncIterator[bytes], timeout_s: float = 10.0) -> dict[str, Any]:
    async def first() -> dict[str, Any]:
        async for chunk in events:
            text = chunk.decode()
            if text.startswith("event: overview"):
                data: dict[str, Any] = json.loads(text.split("data: ", 1)[1])
                return data
        raise AssertionError("stream ended")

    return await asyncio.wait_for(first(), timeout_s)


def test_sse_sends_an_event_when_a_camera_or_device_status_changes_and_only_for_its_commune(
    communes: tuple[TenantInfo, TenantInfo],
) -> None:
    a, b = communes
    camera_id = _add_camera(a, "online")
    device_id = _add_device(a)

    async def scenario() -> None:
        async def connected() -> bool:
            return False

        stream_a = overview_events(a, connected, interval_s=0.05)
        stream_b = overview_events(b, connected, interval_s=0.05)
        first_a, first_b = await _next_event(stream_a), await _next_event(stream_b)
        # The camera goes offline in A: A's stream sends a new overview.
        with tenant_transaction(a) as db:
            db.get_one(Camera, camera_id).status = "offline"
        changed = await _next_event(stream_a)
        assert changed["cameras"].get("offline", 0) == first_a["cameras"].get("offline", 0) + 1
        # The device falls silent past the inactivity timeout: A's stream tells.
        with tenant_transaction(a) as db:
            db.get_one(Device, device_id).last_seen_at = devices.now() - timedelta(days=1)
        changed_again = await _next_event(stream_a)
        assert changed_again["devices"]["online"] == changed["devices"]["online"] - 1
        # B's stream only sends keep-alives: nothing of A reaches it.
        chunk = await asyncio.wait_for(stream_b.__anext__(), 5)
        assert chunk == b": keep-alive\n\n"
        assert {k: v for k, v in first_b.items() if k != "at"} == {k: v for k, v in _overview(b).items() if k != "at"}
        await stream_a.aclose()
        await stream_b.aclose()

    asyncio.run(scenario())
    with tenant_transaction(a) as db:
        db.execute(delete(Camera).where(Camera.id == camera_id))
