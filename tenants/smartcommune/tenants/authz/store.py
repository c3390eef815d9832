"""`control.casbin_rule` access: one bulk SELECT to load, set-based INSERT/DELETE to write, and a NOTIFY
in the same transaction as every write so each process's watcher sees exactly the committed changes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any, Final

from sqlalchemy import Connection, Engine

from smartcommune.tenants.authz.model import Rule

CHANNEL: Final = "sc_policy"
TABLE: Final = "control.casbin_rule"
COLUMNS: Final = ("ptype", "v0", "v1", "v2", "v3", "v4", "v5")
# NOTIFY payloads are limited to 8000 bytes; bigger changes ask every listener for a full reload.
MAX_PAYLOAD: Final = 7500

_UNNEST = "SELECT * FROM unnest(" + ", ".join(["%s::text[]"] * len(COLUMNS)) + ")"


def _padded(rule: Sequence[str]) -> tuple[str, ...]:
    if not 2 <= len(rule) <= len(COLUMNS):
        raise ValueError(f"bad policy line: {rule!r}")
    return tuple(rule) + ("",) * (len(COLUMNS) - len(rule))


def _columns(rules: Iterable[Sequence[str]]) -> list[list[str]]:
    padded = [_padded(r) for r in rules]
    return [list(col) for col in zip(*padded, strict=True)] if padded else [[] for _ in COLUMNS]


def _trimmed(row: Sequence[str]) -> Rule:
    values = list(row)
    while len(values) > 1 and values[-1] == "":
        values.pop()
    return tuple(values)


def _driver_cursor(conn: Connection) -> Any:
    return conn.connection.driver_connection.cursor()  # type: ignore[union-attr]


def fetch_rules(conn: Connection) -> list[tuple[str, ...]]:
    """Every policy line as (ptype, v0..v5): one SELECT through the driver cursor, no ORM rows."""
    cur = _driver_cursor(conn)
    cur.execute(f"SELECT ptype, v0, v1, v2, v3, v4, v5 FROM {TABLE}")
    rows: list[tuple[str, ...]] = cur.fetchall()
    return rows


def insert_rules(conn: Connection, rules: Iterable[Sequence[str]]) -> list[Rule]:
    """INSERT ... ON CONFLICT DO NOTHING in bulk; returns the lines that were new."""
    cols = _columns(rules)
    if not cols[0]:
        return []
    cur = _driver_cursor(conn)
    cur.execute(
        f"INSERT INTO {TABLE} (ptype, v0, v1, v2, v3, v4, v5) {_UNNEST} "
        "ON CONFLICT DO NOTHING RETURNING ptype, v0, v1, v2, v3, v4, v5",
        cols,
    )
    return [_trimmed(r) for r in cur.fetchall()]


def delete_rules(conn: Connection, rules: Iterable[Sequence[str]]) -> list[Rule]:
    """DELETE the given lines (exact match on every column); returns the lines that existed."""
    cols = _columns(rules)
    if not cols[0]:
        return []
    cur = _driver_cursor(conn)
    cur.execute(
        f"DELETE FROM {TABLE} WHERE (ptype, v0, v1, v2, v3, v4, v5) IN ({_UNNEST}) "
        "RETURNING ptype, v0, v1, v2, v3, v4, v5",
        cols,
    )
    return [_trimmed(r) for r in cur.fetchall()]


def delete_filtered(conn: Connection, ptype: str, field_index: int, field_values: Sequence[str]) -> list[Rule]:
    """casbin's remove_filtered_policy: empty values match anything."""
    clauses = ["ptype = %s"]
    params: list[str] = [ptype]
    for offset, value in enumerate(field_values):
        if value:
            clauses.append(f"v{field_index + offset} = %s")
            params.append(value)
    cur = _driver_cursor(conn)
    cur.execute(f"DELETE FROM {TABLE} WHERE {' AND '.join(clauses)} RETURNING ptype, v0, v1, v2, v3, v4, v5", params)
    return [_trimmed(r) for r in cur.fetchall()]


def notify(conn: Connection, *, added: Sequence[Rule] = (), removed: Sequence[Rule] = ()) -> None:
    """Queue a change notice; PostgreSQL delivers it at COMMIT, and never if the transaction rolls back."""
    if not added and not removed:
        return
    payload = json.dumps({"add": [list(r) for r in added], "remove": [list(r) for r in removed]})
    if len(payload.encode()) > MAX_PAYLOAD:
        payload = json.dumps({"reload": True})
    _driver_cursor(conn).execute("SELECT pg_notify(%s, %s)", (CHANNEL, payload))


def notify_reload(conn: Connection) -> None:
    """Ask every process to reload in full (after out-of-band writes, e.g. a bulk import)."""
    _driver_cursor(conn).execute("SELECT pg_notify(%s, %s)", (CHANNEL, json.dumps({"reload": True})))


def add_rules(engine: Engine, rules: Iterable[Sequence[str]]) -> list[Rule]:
    with engine.begin() as conn:
        added = insert_rules(conn, rules)
        notify(conn, added=added)
    return added


def remove_rules(engine: Engine, rules: Iterable[Sequence[str]]) -> list[Rule]:
    with engine.begin() as conn:
        removed = delete_rules(conn, rules)
        notify(conn, removed=removed)
    return removed


def parse_payload(payload: str) -> tuple[list[Rule], list[Rule]] | None:
    """(added, removed) from a notice, or None when the notice asks for a full reload."""
    try:
        data = json.loads(payload)
    except ValueError:
        return None
    if not isinstance(data, dict) or data.get("reload"):
        return None
    added = [tuple(str(v) for v in r) for r in data.get("add", [])]
    removed = [tuple(str(v) for v in r) for r in data.get("remove", [])]
    return added, removed


def seed_shared_policy(engine: Engine, *, prune: bool = False) -> list[Rule]:
    """Write the catalogue's shared rules (idempotent); with `prune`, drop shared rules it no longer has.

    Returns the lines that were added. Only real changes are notified.
    """
    from smartcommune.tenants.authz.policy import shared_rules

    wanted = shared_rules()
    with engine.begin() as conn:
        added = insert_rules(conn, wanted)
        removed: list[Rule] = []
        if prune:
            keep = set(wanted)
            shared = [_trimmed(r) for r in fetch_rules(conn) if r[0] == "p" and r[2] == "*"]
            removed = delete_rules(conn, [r for r in shared if r not in keep])
        notify(conn, added=added, removed=removed)
    return added
