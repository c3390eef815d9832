"""casbin adapter on `control.casbin_rule`: bulk load; auto-saved writes NOTIFY in their transaction."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from casbin.model import Model
from casbin.persist.batch_adapter import BatchAdapter
from sqlalchemy import Engine

from smartcommune.tenants.authz import store
from smartcommune.tenants.authz.model import tokens_for


def fill_model(model: Model, rows: Sequence[Sequence[str]]) -> int:
    """The fast path of casbin's `load_policy_line`: append lists straight into the assertions."""
    sections: dict[str, Any] = {}
    for sec in ("p", "g"):
        for ptype, assertion in model.model.get(sec, {}).items():
            sections[ptype] = (assertion.policy, tokens_for(ptype))
    count = 0
    for row in rows:
        target = sections.get(row[0])
        if target is None:
            continue
        policy, n = target
        policy.append(list(row[1 : n + 1]))
        count += 1
    return count


class PolicyAdapter(BatchAdapter):  # type: ignore[misc]
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def load_policy(self, model: Model) -> None:
        with self.engine.connect() as conn:
            rows = store.fetch_rules(conn)
        fill_model(model, rows)

    def save_policy(self, model: Model) -> bool:
        rules = [
            (ptype, *rule)
            for sec in ("p", "g")
            for ptype, assertion in model.model.get(sec, {}).items()
            for rule in assertion.policy
        ]
        with self.engine.begin() as conn:
            conn.exec_driver_sql(f"DELETE FROM {store.TABLE}")
            store.insert_rules(conn, rules)
            store.notify_reload(conn)
        return True

    def add_policy(self, sec: str, ptype: str, rule: Sequence[str]) -> bool:
        return self.add_policies(sec, ptype, [rule])

    def add_policies(self, sec: str, ptype: str, rules: Sequence[Sequence[str]]) -> bool:
        store.add_rules(self.engine, [(ptype, *r) for r in rules])
        return True

    def remove_policy(self, sec: str, ptype: str, rule: Sequence[str]) -> bool:
        return self.remove_policies(sec, ptype, [rule])

    def remove_policies(self, sec: str, ptype: str, rules: Sequence[Sequence[str]]) -> bool:
        store.remove_rules(self.engine, [(ptype, *r) for r in rules])
        return True

    def remove_filtered_policy(self, sec: str, ptype: str, field_index: int, *field_values: str) -> bool:
        with self.engine.begin() as conn:
            removed = store.delete_filtered(conn, ptype, field_index, field_values)
            store.notify(conn, removed=removed)
        return True
