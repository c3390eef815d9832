"""How the API's HTTP server (uvicorn) runs: no `Server` header, bounded idle and header times.

uvicorn closes an idle keep-alive connection `KEEP_ALIVE_TIMEOUT_S` after its last response, but a
connection that never sends a request, or sends its headers a byte at a time, is kept forever (200 idle
and 200 slow-header connections held a minute, none closed). The protocol below closes a connection whose
request headers are not complete `HEADER_TIMEOUT_S` after the connection opened or after its first byte
of a new request. The ingress in front (helm/smartcommune, `ingress.annotations`) bounds the same times
for the public side; docs/operations.md lists both.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

try:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
except ImportError:  # pragma: no cover - httptools comes with uvicorn[standard]
    HttpToolsProtocol = None  # type: ignore[assignment,misc]

HEADER_TIMEOUT_S = 10.0
KEEP_ALIVE_TIMEOUT_S = 5
MAX_HEADER_BYTES = 16 * 1024


class _HeaderTimeout:
    """Mixin for uvicorn's HTTP protocols: close connections whose request headers do not arrive in time."""

    header_timeout_s = HEADER_TIMEOUT_S
    _header_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)  # type: ignore[misc]
        self._arm_header_timer()

    def data_received(self, data: bytes) -> None:
        cycle = getattr(self, "cycle", None)
        if self._header_timer is None and (cycle is None or cycle.response_complete):
            self._arm_header_timer()  # the first byte of a new request: its headers have a deadline
        super().data_received(data)  # type: ignore[misc]
        if getattr(self, "cycle", None) is not cycle:
            self._disarm_header_timer()  # headers complete: a request cycle started

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_header_timer()
        super().connection_lost(exc)  # type: ignore[misc]

    def _arm_header_timer(self) -> None:
        self._disarm_header_timer()
        loop: asyncio.AbstractEventLoop = self.loop  # type: ignore[attr-defined]
        self._header_timer = loop.call_later(self.header_timeout_s, self._header_timeout)

    def _disarm_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _header_timeout(self) -> None:
        self._header_timer = None
        transport: asyncio.Transport = self.transport  # type: ignore[attr-defined]
        cycle = getattr(self, "cycle", None)
        if not transport.is_closing() and (cycle is None or cycle.response_complete):
            transport.close()


class H11HeaderTimeoutProtocol(_HeaderTimeout, H11Protocol):  # type: ignore[misc]
    pass


if HttpToolsProtocol is not None:

    class HttpToolsHeaderTimeoutProtocol(_HeaderTimeout, HttpToolsProtocol):  # type: ignore[misc]
        pass

    DEFAULT_PROTOCOL: type[asyncio.Protocol] = HttpToolsHeaderTimeoutProtocol
else:  # pragma: no cover
    DEFAULT_PROTOCOL = H11HeaderTimeoutProtocol


def uvicorn_options() -> dict[str, Any]:
    """Keyword arguments for `uvicorn.run` / `uvicorn.Config` (the CLI's `serve` and `run` use them)."""
    return {
        "http": DEFAULT_PROTOCOL,
        "server_header": False,
        "timeout_keep_alive": KEEP_ALIVE_TIMEOUT_S,
        "h11_max_incomplete_event_size": MAX_HEADER_BYTES,
        "timeout_graceful_shutdown": 20,
    }
