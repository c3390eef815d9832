"""Camera background work: the health sweep (Celery, queue `cameras`) and the motion/preview worker.

Health: every `CAMERA_HEALTH_INTERVAL_S` the beat sends `health_sweep`, which fans out one
`sweep_commune` per active commune. A sweep reads the camera list in one short transaction, probes
concurrently outside any transaction (each probe ends within ~2-3 s), then writes statuses in one
transaction. A camera that stops answering is therefore offline within interval + ~3 s.

Motion worker (`smartcommune camera-worker`): one thread per camera reads frames at reduced rate and size,
runs `MotionDetector`, turns sustained motion into `camera_events` with a snapshot, writes a low-rate
preview JPEG for the camera wall, and refreshes `last_frame_at`. Shard with `--shard i/n` (by camera id).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime

import cv2
import structlog
from celery import current_app, shared_task
from sqlalchemy import select, text, update

from smartcommune.platform.cameras import service
from smartcommune.platform.cameras.models import Camera, CameraEvent
from smartcommune.platform.cameras.motion import MotionDetector, SustainedMotion
from smartcommune.platform.cameras.probe import ProbeResult
from smartcommune.platform.netguard import UrlRefused, guard_url
from smartcommune.platform.operations.health import CallbackCollector, HealthServer, database_ready
from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.database import app_engine
from smartcommune.tenants.registry import all_tenant_infos, get_commune, info_from_row
from smartcommune.tenants.session import tenant_transaction
from smartcommune.tenants.settings import get_settings

log = structlog.stdlib.get_logger(__name__)
SYSTEM = "system:camera-health"


def sweep(tenant: TenantInfo, *, max_workers: int = 32) -> dict[str, int]:
    """Probe every camera of one commune and record statuses; returns counts by status."""
    with tenant_transaction(tenant) as db:
        allow = service.allow_list(db)
        jobs = [service.probe_job(db, c, allow) for c in db.scalars(select(Camera).order_by(Camera.id))]
    results: dict[int, ProbeResult] = {}
    if jobs:
        with ThreadPoolExecutor(max_workers=min(max_workers, len(jobs))) as pool:
            for job, result in zip(jobs, pool.map(lambda j: service.run_probe(j, frames=2), jobs), strict=True):
                results[job.camera_id] = result
    counts: dict[str, int] = {}
    with tenant_transaction(tenant) as db:
        for camera in db.scalars(select(Camera).where(Camera.id.in_(list(results))).with_for_update()):
            service.apply_result(db, tenant, camera, results[camera.id], actor=SYSTEM, keep_snapshot=False)
            counts[camera.status] = counts.get(camera.status, 0) + 1
    log.info("camera_health_sweep", commune=tenant.commune_code, **counts)
    return counts


@shared_task(name="smartcommune.platform.cameras.tasks.sweep_commune")
def sweep_commune(commune_code: int) -> dict[str, int]:
    return sweep(info_from_row(get_commune(app_engine(), int(commune_code))))


FIRST_CHECK = "system:camera-first-check"


@shared_task(name="smartcommune.platform.cameras.tasks.first_check")
def first_check(commune_code: int, camera_id: int) -> str:
    """The automatic first check of a camera just added: probe, status and snapshot (no one has to click)."""
    tenant = info_from_row(get_commune(app_engine(), int(commune_code)))
    with tenant_transaction(tenant) as db:
        camera = db.get(Camera, int(camera_id))
        if camera is None or camera.last_checked_at is not None:
            return "skipped"
        job = service.probe_job(db, camera)
    result = service.run_probe(job, frames=3)
    with tenant_transaction(tenant) as db:
        camera = db.get(Camera, int(camera_id), with_for_update=True)
        if camera is None:
            return "gone"
        service.apply_result(db, tenant, camera, result, actor=FIRST_CHECK, keep_snapshot=True)
        service.record_probe(db, camera, result, actor=FIRST_CHECK, actor_kind="system", frames=3)
        return camera.status


@shared_task(name="smartcommune.platform.cameras.tasks.health_sweep")
def health_sweep() -> int:
    """Fan out: one sweep per active commune that has cameras."""
    with app_engine().connect() as conn:
        tenants = [t for t in all_tenant_infos(conn) if t.status == "active"]
    for tenant in tenants:
        current_app.send_task("smartcommune.platform.cameras.tasks.sweep_commune", args=[tenant.commune_code])
    return len(tenants)


def beat_schedule() -> dict[str, dict[str, object]]:
    return {
        "camera-health-sweep": {
            "task": "smartcommune.platform.cameras.tasks.health_sweep",
            "schedule": float(get_settings().camera_health_interval_s),
        }
    }


# -- motion and preview worker ------------------------------------------------------------------------
@dataclass
class WatchedCamera:
    tenant: TenantInfo
    camera_id: int
    job: service.ProbeJob
    sensitivity: int
    min_area: float
    zones: list[list[list[float]]]
    masks: list[list[list[float]]]
    method: str


class CameraWatcher(threading.Thread):
    def __init__(self, cam: WatchedCamera, *, fps: float = 5.0, stop: threading.Event | None = None) -> None:
        super().__init__(daemon=True, name=f"camera-{cam.tenant.commune_code}-{cam.camera_id}")
        self.cam = cam
        self.period = 1.0 / fps
        self.stop_event = stop or threading.Event()
        self.frames = 0
        self.events = 0

    def run(self) -> None:
        settings = get_settings()
        while not self.stop_event.is_set():
            try:
                self._watch(settings.camera_preview_interval_s)
            except Exception:
                log.exception("camera_watch_failed", camera=self.cam.camera_id)
            self.stop_event.wait(2.0)  # reconnect backoff

    def _watch(self, preview_every: float) -> None:
        try:
            target = guard_url(self.cam.job.url, self.cam.job.allow)
        except UrlRefused:
            self.stop_event.wait(30)
            return
        s = get_settings()
        cap = cv2.VideoCapture(
            target.connect_url(self.cam.job.username, self.cam.job.password),
            cv2.CAP_FFMPEG,
            [
                cv2.CAP_PROP_OPEN_TIMEOUT_MSEC,
                s.camera_open_timeout_ms,
                cv2.CAP_PROP_READ_TIMEOUT_MSEC,
                s.camera_read_timeout_ms,
            ],
        )
        if not cap.isOpened():
            return
        detector = MotionDetector(
            sensitivity=self.cam.sensitivity,
            min_area=self.cam.min_area,
            zones=self.cam.zones,
            masks=self.cam.masks,
            method=self.cam.method,
        )
        sustained = SustainedMotion(min_duration_s=1.0, cooldown_s=3.0)
        last_preview = last_seen_write = 0.0
        open_event: int | None = None
        next_at = time.monotonic()
        try:
            while not self.stop_event.is_set():
                if not cap.grab():
                    return
                now_m = time.monotonic()
                if now_m < next_at:
                    continue  # drop frames between samples: decode only what we analyse
                next_at = now_m + self.period
                ok, frame = cap.retrieve()
                if not ok:
                    return
                self.frames += 1
                fraction = detector.feed(frame)
                change, event = sustained.update(now_m, fraction, detector.is_motion(fraction), frame)
                if change == "start" and event is not None:
                    open_event = self._open_event(event.frame if event.frame is not None else frame, fraction)
                    self.events += 1
                elif change == "end" and event is not None and open_event is not None:
                    self._close_event(open_event, event.peak_area)
                    open_event = None
                if now_m - last_preview >= preview_every:
                    last_preview = now_m
                    small = cv2.resize(frame, (640, int(640 * frame.shape[0] / frame.shape[1])))
                    ok, jpg = cv2.imencode(".jpg", small, [cv2.IMWRITE_JPEG_QUALITY, 70])
                    if ok:
                        service.put_preview(self.cam.tenant, self.cam.camera_id, jpg.tobytes())
                if now_m - last_seen_write >= 10:
                    last_seen_write = now_m
                    with tenant_transaction(self.cam.tenant) as db:
                        db.execute(
                            update(Camera)
                            .where(Camera.id == self.cam.camera_id)
                            .values(last_frame_at=datetime.now(UTC))
                        )
        finally:
            cap.release()

    def _open_event(self, frame: object, fraction: float) -> int:
        ok, jpg = cv2.imencode(".jpg", frame)  # type: ignore[call-overload]
        with tenant_transaction(self.cam.tenant) as db:
            camera = db.get(Camera, self.cam.camera_id)
            assert camera is not None
            snapshot = (
                service.store_snapshot(db, self.cam.tenant, camera, jpg.tobytes(), actor="system:motion")
                if ok
                else None
            )
            event = CameraEvent(
                camera_id=camera.id,
                kind="motion",
                started_at=datetime.now(UTC),
                peak_area=round(fraction, 4),
                snapshot_file_id=snapshot.id if snapshot else None,
            )
            db.add(event)
            db.flush()
            log.info("camera_motion_event", camera=camera.id, event_id=event.id, area=round(fraction, 4))
            return event.id

    def _close_event(self, event_id: int, peak: float) -> None:
        with tenant_transaction(self.cam.tenant) as db:
            db.execute(
                update(CameraEvent)
                .where(CameraEvent.id == event_id)
                .values(ended_at=datetime.now(UTC), peak_area=round(peak, 4))
            )


def watched_cameras(communes: Sequence[int] = (), shard: tuple[int, int] = (0, 1)) -> list[WatchedCamera]:
    with app_engine().connect() as conn:
        tenants = [
            t for t in all_tenant_infos(conn) if t.status == "active" and (not communes or t.commune_code in communes)
        ]
        conn.execute(text("SELECT 1"))
    out: list[WatchedCamera] = []
    for tenant in tenants:
        with tenant_transaction(tenant) as db:
            allow = service.allow_list(db)
            for camera in db.scalars(select(Camera).where(Camera.motion_enabled.is_(True)).order_by(Camera.id)):
                if camera.id % shard[1] != shard[0]:
                    continue
                out.append(
                    WatchedCamera(
                        tenant,
                        camera.id,
                        service.probe_job(db, camera, allow),
                        camera.sensitivity,
                        camera.min_area,
                        camera.zones,
                        camera.masks,
                        "mog2" if camera.profile == "outdoor" else "diff",
                    )
                )
    return out


class CameraWorker:
    """The `smartcommune camera-worker` process: watchers for this shard, refreshed every minute, plus the
    health contract (`/healthz`, `/readyz`, `/metrics` on HEALTH_PORT, see `operations.health`)."""

    def __init__(self, communes: Sequence[int] = (), shard: tuple[int, int] = (0, 1), fps: float = 5.0) -> None:
        self.communes, self.shard, self.fps = tuple(communes), shard, fps
        self.stop = threading.Event()
        self.watchers: dict[tuple[int, int], CameraWatcher] = {}
        self.heartbeat = time.monotonic()
        self.refreshes = 0
        self._retired_frames = 0
        self._retired_events = 0

    def refresh(self) -> None:
        for cam in watched_cameras(self.communes, self.shard):
            key = (cam.tenant.commune_code, cam.camera_id)
            old = self.watchers.get(key)
            if old is None or not old.is_alive():
                if old is not None:
                    self._retired_frames += old.frames
                    self._retired_events += old.events
                self.watchers[key] = CameraWatcher(cam, fps=self.fps, stop=self.stop)
                self.watchers[key].start()
        self.refreshes += 1
        self.heartbeat = time.monotonic()

    def alive(self) -> bool:
        return time.monotonic() - self.heartbeat < 180  # the loop turns every 60 s

    def counters(self) -> dict[str, float]:
        watchers = list(self.watchers.values())
        return {
            "frames_processed": self._retired_frames + sum(w.frames for w in watchers),
            "motion_events": self._retired_events + sum(w.events for w in watchers),
            "camera_list_refreshes": self.refreshes,
        }

    def gauges(self) -> dict[str, float]:
        return {"cameras_watched": sum(1 for w in self.watchers.values() if w.is_alive())}

    def health_server(self, port: int | None = None, host: str | None = None) -> HealthServer:
        return HealthServer(
            live=self.alive,
            ready={"database": database_ready},
            collectors=[CallbackCollector("smartcommune_camera_worker", self.counters, self.gauges)],
            port=port,
            host=host,
        )

    def run_forever(self) -> None:
        try:
            while not self.stop.is_set():
                try:
                    self.refresh()
                except Exception:  # the database may be away for a while: keep the watchers running
                    log.exception("camera_worker_refresh_failed")
                self.heartbeat = time.monotonic()  # alive = the loop turns; /readyz reports the database
                self.stop.wait(60)
        except KeyboardInterrupt:
            pass
        finally:
            self.stop.set()


def run_worker(communes: Sequence[int] = (), shard: tuple[int, int] = (0, 1), fps: float = 5.0) -> None:
    """Watch every camera of this shard; re-read the camera list every minute; serve the health port."""
    worker = CameraWorker(communes, shard, fps)
    health = worker.health_server().start()
    try:
        worker.run_forever()
    finally:
        health.stop()
