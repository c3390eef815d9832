"""A simulated camera for development and tests: an HTTP MJPEG server serving generated frames.

`make run` starts one as a process (`python -m smartcommune.provisioning.devtools.camera --port N`) and the
demo commune's camera points at it (allowed through `DEV_CAMERA_URLS`, outside production only); the camera
tests and benchmarks run the same server in a thread.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import cv2
import numpy as np

BOUNDARY = "frameboundary"


def make_frame(i: int, width: int = 320, height: int = 240, moving: bool = True) -> np.ndarray:
    """A grey scene with a bright square that moves when `moving`."""
    frame = np.full((height, width, 3), 60, np.uint8)
    cv2.rectangle(frame, (10, 10), (width - 10, height - 10), (90, 90, 90), 2)
    if moving:
        x = (i * 12) % max(1, width - 60)
        cv2.rectangle(frame, (x, height // 3), (x + 50, height // 3 + 50), (240, 240, 240), -1)
    return frame


class MjpegServer:
    """`http://127.0.0.1:<port>/stream.mjpg` (multipart/x-mixed-replace) and `/snapshot.jpg`.

    `auth=(user, password)` demands HTTP Basic auth; `redirect_to` answers every request with a 302 there;
    `frames(i)` supplies frame i (default: a moving square). `stop()` closes the socket (camera gone).
    """

    def __init__(
        self,
        *,
        fps: float = 10.0,
        width: int = 320,
        height: int = 240,
        auth: tuple[str, str] | None = None,
        redirect_to: str | None = None,
        frames: Callable[[int], np.ndarray] | None = None,
        port: int = 0,
    ) -> None:
        self.fps = fps
        self.width, self.height = width, height
        self.frames = frames or (lambda i: make_frame(i, width, height))
        self.requests = 0
        self.paused = False
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def log_message(self, *args: object) -> None:
                return

            def _authorized(self) -> bool:
                if auth is None:
                    return True
                import base64

                expected = "Basic " + base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
                return self.headers.get("Authorization") == expected

            def do_GET(self) -> None:
                outer.requests += 1
                if redirect_to is not None:
                    self.send_response(302)
                    self.send_header("Location", redirect_to)
                    self.end_headers()
                    return
                if not self._authorized():
                    self.send_response(401)
                    self.send_header("WWW-Authenticate", 'Basic realm="cam"')
                    self.end_headers()
                    return
                if self.path.startswith("/snapshot"):
                    _, jpg = cv2.imencode(".jpg", outer.frames(0))
                    self.send_response(200)
                    self.send_header("Content-Type", "image/jpeg")
                    self.send_header("Content-Length", str(len(jpg)))
                    self.end_headers()
                    self.wfile.write(jpg.tobytes())
                    return
                self.send_response(200)
                self.send_header("Content-Type", f"multipart/x-mixed-replace; boundary={BOUNDARY}")
                self.end_headers()
                i = 0
                try:
                    while not outer._stop.is_set():
                        if outer.paused:
                            time.sleep(0.05)
                            continue
                        _ok, jpg = cv2.imencode(".jpg", outer.frames(i), [cv2.IMWRITE_JPEG_QUALITY, 80])
                        data = jpg.tobytes()
                        self.wfile.write(
                            f"--{BOUNDARY}\r\nContent-Type: image/jpeg\r\nContent-Length: {len(data)}\r\n\r\n".encode()
                            + data
                            + b"\r\n"
                        )
                        i += 1
                        time.sleep(1.0 / outer.fps)
                except (BrokenPipeError, ConnectionResetError, OSError):
                    return

        self._stop = threading.Event()
        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/stream.mjpg"

    def start(self) -> MjpegServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> MjpegServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
