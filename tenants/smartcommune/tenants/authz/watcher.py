"""LISTEN/NOTIFY watcher: keeps one process's enforcer in step with every committed policy change.

Writers NOTIFY on `sc_policy` inside the writing transaction (see `store`), so a notice exists exactly
when the change committed. Each process runs one daemon thread that LISTENs on its own connection and
applies each notice incrementally, or reloads in full when the notice asks for it. Whenever the thread
(re)connects it LISTENs first and then reloads in full, so nothing committed while it was away is missed.
"""

from __future__ import annotations

import logging
import threading
from typing import Final

import psycopg
from psycopg import sql
from sqlalchemy import Engine

from smartcommune.tenants.authz.enforcer import CommuneEnforcer
from smartcommune.tenants.authz.store import CHANNEL, parse_payload

log = logging.getLogger(__name__)

POLL_S: Final = 0.5
RECONNECT_S: Final = 1.0


def libpq_dsn(engine: Engine) -> str:
    """The engine's URL as a libpq connection string (psycopg does not know `+psycopg`)."""
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


class PolicyWatcher:
    def __init__(self, dsn: str, enforcer: CommuneEnforcer, *, channel: str = CHANNEL) -> None:
        self.dsn = dsn
        self.enforcer = enforcer
        self.channel = channel
        self.notices = 0
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self, *, wait_s: float | None = 10.0) -> bool:
        """Start the thread; with `wait_s`, block until it listens and has loaded the policy once."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="sc-policy-watcher", daemon=True)
            self._thread.start()
        return self._ready.wait(wait_s) if wait_s else self._ready.is_set()

    def stop(self, timeout_s: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout_s)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._listen()
            except Exception:
                log.exception("policy watcher lost its connection; reconnecting")
                self._stop.wait(RECONNECT_S)

    def _listen(self) -> None:
        with psycopg.connect(self.dsn, autocommit=True) as conn:
            conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self.channel)))
            self.enforcer.load_policy()
            self._ready.set()
            while not self._stop.is_set():
                for notice in conn.notifies(timeout=POLL_S):
                    self.handle(notice.payload)
                    if self._stop.is_set():
                        return

    def handle(self, payload: str) -> None:
        self.notices += 1
        change = parse_payload(payload)
        if change is None:
            self.enforcer.load_policy()
        else:
            self.enforcer.apply_changes(*change)
