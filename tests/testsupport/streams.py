"""Real network endpoints for camera tests and benchmarks: the MJPEG server of the dev tools (the same one
`make run` starts for the demo camera), and addresses that never answer (a TCP port that accepts and then
says nothing, a listening socket that never accepts)."""

from __future__ import annotations

import socket
import threading

from smartcommune.provisioning.devtools.streams import BOUNDARY, MjpegServer, make_frame

__all__ = ["BOUNDARY", "MjpegServer", "SilentServer", "closed_port", "make_frame"]


class SilentServer:
    """A TCP port that accepts connections and never sends a byte: a camera that hangs."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.conns: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def _accept(self) -> None:
        self.sock.settimeout(0.2)
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
                self.conns.append(conn)
            except OSError:
                continue

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/stream.mjpg"

    def __enter__(self) -> SilentServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        for c in self.conns:
            c.close()
        self.sock.close()


def closed_port() -> int:
    """A port nothing listens on (connection refused)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = int(s.getsockname()[1])
    s.close()
    return port
