"""Probe a camera stream: OpenCV's FFMPEG backend with hard open/read timeouts and an outer watchdog.

A reachable camera answers within ~3 s, an unreachable one fails within ~2 s, and nothing ever hangs:
the capture runs in a daemon thread that the caller waits for with a deadline. The URL is checked by
`netguard` and the pinned address is what FFMPEG connects to. HTTP(S) streams get a preflight request on
the pinned address first: a redirect is refused (FFMPEG would follow it), 401 is reported as such.

Credentials are injected into the connect URL only inside this module and never logged; FFMPEG's and
OpenCV's own logging is silenced because they echo the URL they were given.
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import os
import ssl
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")  # AV_LOG_QUIET: FFMPEG prints the URL it opens
os.environ.setdefault("OPENCV_LOG_LEVEL", "SILENT")
os.environ.setdefault("OPENCV_VIDEOIO_DEBUG", "0")

import cv2
import numpy as np
import structlog

from smartcommune.platform.netguard import GuardedTarget, IPNetwork, UrlRefused, guard_url
from smartcommune.tenants.settings import get_settings

with contextlib.suppress(AttributeError):  # older builds lack cv2.utils.logging
    cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)

log = structlog.stdlib.get_logger(__name__)

REACHABLE_BUDGET_S = 3.0
DEAD_BUDGET_S = 2.0

MESSAGES: dict[str, tuple[str, str]] = {
    "ok": ("Camera hoạt động.", "The camera answers."),
    "refused": ("Địa chỉ camera không được phép.", "The camera address is not allowed."),
    "redirect": ("Camera chuyển hướng sang địa chỉ khác: bị từ chối.", "The camera redirects elsewhere: refused."),
    "unauthorized": ("Sai tên đăng nhập hoặc mật khẩu camera.", "Wrong camera user name or password."),
    "http_error": ("Camera trả lời lỗi HTTP.", "The camera answered with an HTTP error."),
    "connect_failed": ("Không kết nối được tới camera.", "Cannot connect to the camera."),
    "timeout": ("Camera không trả lời kịp thời.", "The camera did not answer in time."),
    "open_failed": ("Không mở được luồng video.", "The video stream cannot be opened."),
    "no_frame": ("Không đọc được khung hình.", "No frame could be read."),
}


@dataclass
class ProbeResult:
    ok: bool
    reason: str
    elapsed_ms: float
    width: int | None = None
    height: int | None = None
    fps: float | None = None
    codec: str | None = None
    frame: np.ndarray | None = field(default=None, repr=False)
    detail: str | None = None

    @property
    def message_vi(self) -> str:
        return MESSAGES.get(self.reason, MESSAGES["open_failed"])[0]

    @property
    def message_en(self) -> str:
        return MESSAGES.get(self.reason, MESSAGES["open_failed"])[1]

    def snapshot_jpeg(self, quality: int = 85) -> bytes | None:
        if self.frame is None:
            return None
        ok, buf = cv2.imencode(".jpg", self.frame, [cv2.IMWRITE_JPEG_QUALITY, quality])
        return buf.tobytes() if ok else None


def _preflight(target: GuardedTarget, username: str | None, password: str | None, timeout_s: float) -> str | None:
    """One GET on the pinned address; read the status only. None if the stream may be opened."""
    conn: http.client.HTTPConnection
    if target.scheme == "https":
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE  # cameras carry self-signed certificates
        conn = http.client.HTTPSConnection(target.address, target.port, timeout=timeout_s, context=ctx)
    else:
        conn = http.client.HTTPConnection(target.address, target.port, timeout=timeout_s)
    headers = {"Host": target.host_header, "User-Agent": "smartcommune-probe", "Connection": "close"}
    if username:
        token = base64.b64encode(f"{username}:{password or ''}".encode()).decode()
        headers["Authorization"] = f"Basic {token}"
    try:
        conn.request("GET", target.path_and_query, headers=headers)
        status = conn.getresponse().status
    except TimeoutError:
        return "timeout"
    except OSError:
        return "connect_failed"
    except http.client.HTTPException:
        return "http_error"
    finally:
        conn.close()
    if 300 <= status < 400:
        return "redirect"
    if status in (401, 403):
        return "unauthorized"
    if status >= 400:
        return "http_error"
    return None


def _fourcc(value: float) -> str | None:
    code = int(value)
    if code <= 0:
        return None
    text = code.to_bytes(4, "little").decode("ascii", "replace").strip("\x00 ")
    return text.lower() or None


class _Capture(threading.Thread):
    def __init__(self, url: str, open_ms: int, read_ms: int, frames: int, until: float) -> None:
        super().__init__(daemon=True, name="camera-probe")
        self._url = url
        self.open_ms, self.read_ms, self.frames, self.until = open_ms, read_ms, frames, until
        self.result: ProbeResult | None = None
        self.started_at = time.monotonic()

    def run(self) -> None:
        t0 = self.started_at
        params = [cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, self.open_ms, cv2.CAP_PROP_READ_TIMEOUT_MSEC, self.read_ms]
        try:
            cap = cv2.VideoCapture(self._url, cv2.CAP_FFMPEG, params)
        except cv2.error:
            self.result = ProbeResult(False, "open_failed", (time.monotonic() - t0) * 1000)
            return
        self._url = ""  # drop the credentials as early as possible
        try:
            if not cap.isOpened():
                self.result = ProbeResult(False, "open_failed", (time.monotonic() - t0) * 1000)
                return
            frame: np.ndarray | None = None
            stamps: list[float] = []
            while len(stamps) < self.frames and time.monotonic() < self.until:
                ok, img = cap.read()
                if not ok:
                    break
                frame = img
                stamps.append(time.monotonic())
            elapsed = (time.monotonic() - t0) * 1000
            if frame is None:
                self.result = ProbeResult(False, "no_frame", elapsed)
                return
            nominal = cap.get(cv2.CAP_PROP_FPS) or None
            measured = (
                (len(stamps) - 1) / (stamps[-1] - stamps[0]) if len(stamps) > 2 and stamps[-1] > stamps[0] else None
            )
            fps = round(measured, 2) if measured else (round(nominal, 2) if nominal else None)
            self.result = ProbeResult(
                True,
                "ok",
                elapsed,
                width=int(frame.shape[1]),
                height=int(frame.shape[0]),
                fps=fps,
                codec=_fourcc(cap.get(cv2.CAP_PROP_FOURCC)),
                frame=frame,
            )
        finally:
            cap.release()


def probe_target(
    target: GuardedTarget,
    *,
    username: str | None = None,
    password: str | None = None,
    frames: int = 5,
    open_timeout_ms: int | None = None,
    read_timeout_ms: int | None = None,
) -> ProbeResult:
    settings = get_settings()
    open_ms = open_timeout_ms or settings.camera_open_timeout_ms
    read_ms = read_timeout_ms or settings.camera_read_timeout_ms
    t0 = time.monotonic()
    if target.scheme in ("http", "https"):
        failure = _preflight(target, username, password, open_ms / 1000)
        if failure is not None:
            result = ProbeResult(False, failure, (time.monotonic() - t0) * 1000)
            log.info("camera_probe", target=target.redacted, ok=False, reason=failure, ms=round(result.elapsed_ms))
            return result
    # Watchdog: opening gets `open_ms` (+ a margin); frames are read until the reachable budget.
    until = t0 + REACHABLE_BUDGET_S - 0.3
    capture = _Capture(target.connect_url(username, password), open_ms, read_ms, frames, until)
    capture.start()
    capture.join(timeout=max(0.1, t0 + REACHABLE_BUDGET_S - time.monotonic()))
    result = capture.result or ProbeResult(False, "timeout", (time.monotonic() - t0) * 1000)
    log.info(
        "camera_probe",
        target=target.redacted,
        ok=result.ok,
        reason=result.reason,
        ms=round(result.elapsed_ms),
        width=result.width,
        height=result.height,
    )
    return result


def probe_url(
    url: str,
    *,
    username: str | None = None,
    password: str | None = None,
    allow: Sequence[IPNetwork] = (),
    frames: int = 5,
) -> ProbeResult:
    """Guard then probe. A refused URL is a failed probe with reason `refused` (and the guard's reason)."""
    t0 = time.monotonic()
    try:
        target = guard_url(url, allow)
    except UrlRefused as e:
        return ProbeResult(False, "refused", (time.monotonic() - t0) * 1000, detail=str(e.details.get("reason")))
    return probe_target(target, username=username, password=password, frames=frames)
