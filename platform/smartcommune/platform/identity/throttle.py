"""Password guessing: progressive delay, then a temporary lockout, per account name and per client address.

Keys are the account *name* as typed (`account:<realm>:<username>`), so an unknown username is throttled
exactly like a known one (same answers, same timing: no user enumeration), and the client address
(`address:<ip>`). After `FREE_FAILURES` failures of a key, each further failure makes the key wait
2, 4, 8 … seconds (at most `MAX_DELAY_S`) before the next attempt is even checked; at `LOCK_AFTER` failures it
is locked for `LOCKOUT_S`. While a key waits, every attempt — the right password too — answers 429
`login_throttled` with Retry-After. A success clears the account key. Failures older than `WINDOW_S` are
forgotten.

Each failure of a commune account is written to that commune's audit log (`login_failed`, and
`login_locked` when the lockout starts); the account owner sees their state on `GET /api/v1/me`
(`login_throttle`), the commune admin on `GET /api/v1/users` (`failed_logins`, `locked_until`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import structlog
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from smartcommune.tenants.control.models import IdentityAccount, LoginThrottle
from smartcommune.tenants.database import app_engine
from smartcommune.tenants.errors import RateLimited

log = structlog.get_logger(__name__)

WINDOW_S = 3600
MAX_DELAY_S = 60
LOCKOUT_S = 900


@dataclass(frozen=True)
class Rule:
    free_failures: int
    lock_after: int


ACCOUNT = Rule(free_failures=3, lock_after=10)
ADDRESS = Rule(free_failures=30, lock_after=100)  # one address may be a whole office behind NAT


def account_key(realm: str, username: str) -> str:
    return f"account:{realm}:{username.strip().lower()[:150]}"


def address_key(address: str | None) -> str | None:
    return f"address:{address[:64]}" if address else None


def wait_after(failures: int, rule: Rule) -> int:
    """Seconds a key must wait after its `failures`-th failure."""
    if failures >= rule.lock_after:
        return LOCKOUT_S
    if failures < rule.free_failures:
        return 0
    return int(min(2 ** (failures - rule.free_failures + 1), MAX_DELAY_S))


def _now() -> datetime:
    return datetime.now(UTC)


def check(session: Session, keys: list[str]) -> None:
    """429 when any key must still wait (before the password is even looked at)."""
    now = _now()
    rows = session.scalars(select(LoginThrottle).where(LoginThrottle.key.in_(keys))).all()
    waits = [row.locked_until for row in rows if row.locked_until is not None and row.locked_until > now]
    if waits:
        retry = max(1, int((max(waits) - now).total_seconds()) + 1)
        raise RateLimited(
            f"Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {retry} giây.",
            f"Too many failed logins. Try again in {retry} seconds.",
            code="login_throttled",
            retry_after=retry,
        )


def record_failure(session: Session, key: str, rule: Rule) -> tuple[int, datetime | None]:
    """Count a failure (a window older than WINDOW_S starts over); returns (failures, locked_until)."""
    now = _now()
    row = session.get(LoginThrottle, key, with_for_update=True)
    expired = row is None or (now - row.last_failure_at).total_seconds() > WINDOW_S
    failures = 1 if expired or row is None else row.failures + 1
    wait = wait_after(failures, rule)
    locked_until = now + timedelta(seconds=wait) if wait else None
    values = {"failures": failures, "last_failure_at": now, "locked_until": locked_until}
    statement = insert(LoginThrottle).values(key=key, first_failure_at=now, **values)
    session.execute(statement.on_conflict_do_update(index_elements=[LoginThrottle.key], set_=values))
    return failures, locked_until


def clear(session: Session, key: str) -> None:
    row = session.get(LoginThrottle, key)
    if row is not None:
        session.delete(row)


@dataclass(frozen=True)
class ThrottleState:
    failed_logins: int
    locked_until: datetime | None


def state_of(engine: Engine, accounts: list[IdentityAccount]) -> dict[str, ThrottleState]:
    """Failed-login state by account username (for the admin's user list and the owner's `me`)."""
    keys = {account_key(a.realm, a.username): a.username for a in accounts if a.username}
    if not keys:
        return {}
    now = _now()
    with Session(engine) as session:
        rows = session.scalars(select(LoginThrottle).where(LoginThrottle.key.in_(list(keys)))).all()
    result: dict[str, ThrottleState] = {}
    for row in rows:
        if (now - row.last_failure_at).total_seconds() > WINDOW_S:
            continue
        locked = row.locked_until if row.locked_until is not None and row.locked_until > now else None
        result[keys[row.key]] = ThrottleState(row.failures, locked)
    return result


def account_state(realm: str, username: str, engine: Engine | None = None) -> ThrottleState | None:
    """The owner's own state (`GET /api/v1/me`)."""
    now = _now()
    with Session(engine or app_engine()) as session:
        row = session.get(LoginThrottle, account_key(realm, username))
    if row is None or (now - row.last_failure_at).total_seconds() > WINDOW_S:
        return None
    locked = row.locked_until if row.locked_until is not None and row.locked_until > now else None
    return ThrottleState(row.failures, locked)
