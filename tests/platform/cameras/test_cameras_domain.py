"""Camera registry, probe now, health sweep with notifications, motion events → incidents, against real
PostgreSQL (two communes) and real MJPEG streams."""

from __future__ import annotations

import threading
import time
import uuid

import pytest
from sqlalchemy import select, text
from testsupport.loopback_cameras import allow_loopback_test_network
from testsupport.streams import MjpegServer, make_frame

from smartcommune.platform.cameras import service
from smartcommune.platform.cameras.models import Camera, CameraEvent
from smartcommune.platform.cameras.schemas import CameraIn, CameraPatch, PromoteIn, SiteNetworkIn
from smartcommune.platform.cameras.tasks import CameraWatcher, sweep, watched_cameras
from smartcommune.platform.identity.accounts import create_account
from smartcommune.platform.inbox.models import InboxItem
from smartcommune.platform.netguard import UrlRefused
from smartcommune.tenants.authz import service as authz
from smartcommune.tenants.authz.policy import COMMUNE_OFFICIAL, PROVIDER_ADMIN
from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.database import app_engine, owner_engine, quote_ident
from smartcommune.tenants.principal import COMMUNE_REALM, PROVIDER_REALM, Principal
from smartcommune.tenants.session import tenant_transaction

SEEDER = Principal(subject="cam-tests", realm=PROVIDER_REALM, realm_roles=(PROVIDER_ADMIN,), username="cam-tests")
ACTOR = {"actor": "cam-tests", "actor_kind": "provider"}


@pytest.fixture(autouse=True)
def _loopback_simulators(monkeypatch: pytest.MonkeyPatch) -> None:
    """The simulators listen on 127.0.0.1 (tests/testsupport/loopback_cameras.py)."""
    allow_loopback_test_network(monkeypatch)


def _official(tenant: TenantInfo) -> str:
    account = create_account(
        app_engine(), realm=COMMUNE_REALM, username=f"cam.{uuid.uuid4().hex[:8]}", commune_code=tenant.commune_code
    )
    authz.assign_role(app_engine(), SEEDER, tenant.commune_code, f"user:{account}", COMMUNE_OFFICIAL)
    return str(account)


def _allow_local(tenant: TenantInfo) -> None:
    with tenant_transaction(tenant) as db:
        if "127.0.0.1/32" not in [n.cidr for n in service.list_site_networks(db)]:
            service.add_site_network(db, SiteNetworkIn(cidr="127.0.0.1/32", note="máy kiểm thử"), **ACTOR)


def test_registry_refuses_unlisted_networks_and_keeps_credentials_encrypted(
    communes: tuple[TenantInfo, TenantInfo],
) -> None:
    cam_lo, hau_loc = communes
    with tenant_transaction(hau_loc) as db, pytest.raises(UrlRefused):
        service.create(db, CameraIn(name="Cổng", stream_url="rtsp://192.168.1.20/live"), **ACTOR)
    _allow_local(cam_lo)
    with tenant_transaction(cam_lo) as db:
        camera = service.create(
            db, CameraIn(name="Chợ", stream_url="rtsp://admin:MatKhau123@127.0.0.1:8554/live"), **ACTOR
        )
        camera_id = camera.id
        out = service.to_out(camera)
    assert out.stream_url == "rtsp://127.0.0.1:8554/live" and out.has_credentials
    schema = quote_ident(cam_lo.schema_name)
    with owner_engine().connect() as conn:
        row = conn.execute(text(f"SELECT * FROM {schema}.cameras WHERE id = :i"), {"i": camera_id}).mappings().one()
        audit = conn.execute(text(f"SELECT after::text FROM {schema}.audit_log WHERE object_type='camera'")).scalars()
        dumped = str(dict(row)) + "".join(audit)
    assert "MatKhau123" not in dumped and "admin" not in str(row["stream_url"])
    # The other commune does not see it.
    with tenant_transaction(hau_loc) as db:
        assert db.get(Camera, camera_id) is None or db.get(Camera, camera_id).name != "Chợ"  # type: ignore[union-attr]


def test_probe_now_sweep_offline_notifies_and_recovers(communes: tuple[TenantInfo, TenantInfo]) -> None:
    cam_lo, hau_loc = communes
    official = _official(cam_lo)
    _allow_local(cam_lo)
    server = MjpegServer(fps=10).start()
    with tenant_transaction(cam_lo) as db:
        camera_id = service.create(db, CameraIn(name="Ngã ba", stream_url=server.url), **ACTOR).id
    with tenant_transaction(cam_lo) as db:
        camera, result, snapshot = service.probe_now(db, cam_lo, camera_id, actor="cam-tests", actor_kind="provider")
        assert result.ok and camera.status == "online" and snapshot is not None
        assert (camera.width, camera.height, camera.codec) == (320, 240, "mjpg")
    server.stop()  # the camera stops answering
    t0 = time.monotonic()
    counts = sweep(cam_lo)
    assert time.monotonic() - t0 < 5
    assert counts.get("offline", 0) >= 1
    with tenant_transaction(cam_lo) as db:
        camera = db.get_one(Camera, camera_id)
        assert camera.status == "offline" and camera.status_reason == "connect_failed"
        items = db.scalars(select(InboxItem).where(InboxItem.recipient == official)).all()
        assert any(i.kind == "camera_status" and i.source_id == str(camera_id) for i in items)
    with tenant_transaction(hau_loc) as db:
        assert not db.scalars(select(InboxItem).where(InboxItem.recipient == official)).all()
    # Back on the same port: online again.
    with MjpegServer(port=server.port):
        sweep(cam_lo)
    with tenant_transaction(cam_lo) as db:
        camera = db.get_one(Camera, camera_id)
        assert camera.status == "online"
        camera.motion_enabled = False  # leave no camera for the motion test to pick up


def test_motion_worker_turns_sustained_motion_into_an_event_that_becomes_an_incident(
    communes: tuple[TenantInfo, TenantInfo],
) -> None:
    cam_lo, _ = communes
    _allow_local(cam_lo)
    moving = {"on": False}

    def frames(i: int) -> object:
        return make_frame(i, 320, 240, moving=moving["on"])

    with MjpegServer(fps=12, frames=frames) as server:  # type: ignore[arg-type]
        with tenant_transaction(cam_lo) as db:
            for other in db.scalars(select(Camera)):
                other.motion_enabled = False
            camera_id = service.create(
                db,
                CameraIn(
                    name="Bờ đê",
                    stream_url=server.url,
                    sensitivity=60,
                    min_area=0.005,
                    masks=[[[0, 0], [0.1, 0], [0.1, 0.1]]],
                ),
                **ACTOR,
            ).id
        (cam,) = [c for c in watched_cameras([cam_lo.commune_code]) if c.camera_id == camera_id]
        stop = threading.Event()
        watcher = CameraWatcher(cam, fps=8, stop=stop)
        watcher.start()
        try:
            time.sleep(1.5)
            assert watcher.events == 0  # a still scene makes no event
            moving["on"] = True
            deadline = time.monotonic() + 8
            while watcher.events == 0 and time.monotonic() < deadline:
                time.sleep(0.1)
        finally:
            stop.set()
            watcher.join(timeout=5)
        assert watcher.events >= 1
    with tenant_transaction(cam_lo) as db:
        event = db.scalars(select(CameraEvent).where(CameraEvent.camera_id == camera_id)).first()
        assert event is not None and event.snapshot_file_id is not None and event.peak_area > 0
        preview = service.get_preview(db, cam_lo, camera_id)
        assert preview[:3] == b"\xff\xd8\xff"
        promoted = service.promote(db, event.id, PromoteIn(title="Người lạ ở bờ đê", field_report_id="PA-77"), **ACTOR)
        assert promoted.state == "incident" and promoted.field_report_id == "PA-77"
        service.update(db, camera_id, CameraPatch(motion_enabled=False), **ACTOR)


def test_camera_worker_serves_health_ready_and_frames_processed(communes: tuple[TenantInfo, TenantInfo]) -> None:
    import json
    import urllib.request

    from smartcommune.platform.cameras.tasks import CameraWorker

    cam_lo, _ = communes
    _allow_local(cam_lo)
    with MjpegServer(fps=12, frames=lambda i: make_frame(i, 320, 240, moving=False)) as server:  # type: ignore[arg-type]
        with tenant_transaction(cam_lo) as db:
            for other in db.scalars(select(Camera)):
                other.motion_enabled = False
            camera_id = service.create(db, CameraIn(name="Cổng UBND", stream_url=server.url), **ACTOR).id
        worker = CameraWorker([cam_lo.commune_code], fps=8)
        health = worker.health_server(port=0, host="127.0.0.1").start()

        def get(path: str) -> tuple[int, str]:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{health.port}{path}", timeout=5) as r:
                    return r.status, r.read().decode()
            except urllib.error.HTTPError as e:
                return e.code, e.read().decode()

        try:
            worker.refresh()
            assert (cam_lo.commune_code, camera_id) in worker.watchers
            deadline = time.monotonic() + 8
            while worker.counters()["frames_processed"] < 3 and time.monotonic() < deadline:
                time.sleep(0.1)
            assert get("/healthz")[0] == 200
            status, body = get("/readyz")
            assert status == 200 and json.loads(body)["checks"] == {"database": True}
            status, metrics = get("/metrics")
            frames = [
                line
                for line in metrics.splitlines()
                if line.startswith("smartcommune_camera_worker_frames_processed_total ")
            ]
            assert status == 200 and frames and float(frames[0].split()[1]) >= 3
            assert "smartcommune_camera_worker_cameras_watched" in metrics
            worker.heartbeat -= 600  # the refresh loop stalled: liveness fails so the pod restarts
            assert get("/healthz")[0] == 503
        finally:
            worker.stop.set()
            for watcher in worker.watchers.values():
                watcher.join(timeout=5)
            health.stop()
        with tenant_transaction(cam_lo) as db:
            service.update(db, camera_id, CameraPatch(motion_enabled=False), **ACTOR)
