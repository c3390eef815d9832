"""A motion event's own snapshot over the real app (GET /api/v1/camera-events/{id}/snapshot), against real
PostgreSQL with two communes: the event's frame (not the camera's latest), 404 when it has none."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from PIL import Image
from sqlalchemy import func
from testsupport.commune_world import World, commune_world, unique

from smartcommune.platform.cameras import service
from smartcommune.platform.cameras.models import Camera, CameraEvent
from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.session import tenant_transaction


@pytest.fixture(scope="module")
def world(communes: tuple[TenantInfo, TenantInfo]) -> Iterator[World]:
    with commune_world(communes) as w:
        yield w


def _jpeg(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (16, 12), colour).save(out, format="JPEG")
    return out.getvalue()


def _colour(jpeg: bytes) -> tuple[int, int, int]:
    """The dominant colour (stored photos are re-encoded, so bytes differ from what was written)."""
    r, g, b = Image.open(io.BytesIO(jpeg)).convert("RGB").getpixel((8, 6))  # type: ignore[misc]
    return (round(r, -2), round(g, -2), round(b, -2))


def _events(tenant: TenantInfo, frames: list[bytes | None]) -> list[int]:
    """A camera (its latest snapshot a different frame) with one event per frame, as the motion worker
    writes them."""
    with tenant_transaction(tenant) as db:
        camera = Camera(name=unique("Camera"), stream_url="rtsp://10.255.255.1:554/live", zones=[], masks=[])
        db.add(camera)
        db.flush()
        camera.snapshot_file_id = service.store_snapshot(db, tenant, camera, _jpeg((0, 0, 0)), actor="system").id
        ids = []
        for jpeg in frames:
            stored = service.store_snapshot(db, tenant, camera, jpeg, actor="system:motion") if jpeg else None
            event = CameraEvent(
                camera_id=camera.id,
                started_at=func.now(),
                peak_area=0.1,
                snapshot_file_id=stored.id if stored else None,
            )
            db.add(event)
            db.flush()
            ids.append(event.id)
        return ids


def test_each_event_serves_its_own_snapshot_and_404_without_one(world: World) -> None:
    a, b = world.a, world.b
    red, green = _jpeg((220, 20, 20)), _jpeg((20, 220, 20))
    first, second, bare = _events(a, [red, green, None])
    official = world.person(a, "commune_official")

    for event_id, frame in ((first, red), (second, green)):
        r = world.call("GET", f"/api/v1/camera-events/{event_id}/snapshot", a, official)
        assert r.status_code == 200 and _colour(r.content) == _colour(frame)
        assert r.headers["content-type"] == "image/jpeg" and r.headers["x-content-type-options"] == "nosniff"
    none = world.call("GET", f"/api/v1/camera-events/{bare}/snapshot", a, official)
    assert none.status_code == 404 and none.json()["error"]["code"] == "snapshot_not_found"
    missing = world.call("GET", "/api/v1/camera-events/999999999/snapshot", a, official)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "camera_event_not_found"
    assert world.call("GET", f"/api/v1/camera-events/{first}/snapshot", a).status_code == 401

    # The other commune never gets these frames: its own event of that id, or 404.
    with tenant_transaction(b) as db:
        b_has = {i for i in (first, second) if db.get(CameraEvent, i) is not None}
    for event_id in (first, second):
        r = world.call("GET", f"/api/v1/camera-events/{event_id}/snapshot", b, world.person(b, "commune_official"))
        assert r.status_code != 200 or _colour(r.content) not in (_colour(red), _colour(green))
        if event_id not in b_has:
            assert r.status_code == 404 and r.json()["error"]["code"] == "camera_event_not_found"
    # Residents do not watch the cameras.
    resident = world.call("GET", f"/api/v1/camera-events/{first}/snapshot", a, world.person(a, "resident"))
    assert resident.status_code == 403
