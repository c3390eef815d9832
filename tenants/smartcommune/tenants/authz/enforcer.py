"""`CommuneEnforcer`: a casbin `Enforcer` on the RBAC-with-domains model, with an indexed fast path.

casbin evaluates the matcher once per `p` line (~4 µs each): with the shared catalogue plus every
commune's own roles that is milliseconds per check. `enforce()` here answers the same question from two
indexes instead: the subject's role closure in the domain (`DomainRoleManager`) and the rules of each of
those roles in `*` and in the domain (`PermissionIndex`). `casbin_enforce()` keeps casbin's own evaluator;
the tests assert both agree on every generated request.

Thread safety: readers take one reference to the current `_State` and never lock; writers (full reload,
incremental changes from the watcher or a local write, casbin's management API) hold `_write_lock`.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import casbin

from smartcommune.tenants.authz.adapter import PolicyAdapter
from smartcommune.tenants.authz.index import PermissionIndex
from smartcommune.tenants.authz.model import MODEL_TEXT, Rule, tokens_for
from smartcommune.tenants.authz.rolemanager import DomainRoleManager


@contextmanager
def _gc_paused() -> Iterator[None]:
    """A bulk load allocates ~10 objects per line; cyclic GC passes over them only add time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@dataclass(frozen=True)
class _State:
    rm: DomainRoleManager
    index: PermissionIndex


class CommuneEnforcer(casbin.Enforcer):  # type: ignore[misc]
    def __init__(self, adapter: PolicyAdapter | None = None, *, load: bool = True) -> None:
        self._write_lock = threading.RLock()
        self._state = _State(DomainRoleManager(), PermissionIndex())
        self.reloads = 0
        super().__init__(casbin.Enforcer.new_model(text=MODEL_TEXT))
        if adapter is not None:
            self.set_adapter(adapter)
            if load:
                self.load_policy()

    # -- casbin hooks ------------------------------------------------------------------------------
    def init_rm_map(self) -> None:
        rm = DomainRoleManager()
        self.model["g"]["g"].rm = rm
        self.rm_map["g"] = rm
        self._state = _State(rm, PermissionIndex())

    def load_policy(self) -> None:
        """Full reload: one SELECT, bulk index build, then an atomic swap of model and indexes."""
        with self._write_lock, _gc_paused():
            model = casbin.Enforcer.new_model(text=MODEL_TEXT)
            self.adapter.load_policy(model)
            rm = DomainRoleManager.from_rules(model["g"]["g"].policy)
            index = PermissionIndex.from_rules(model["p"]["p"].policy)
            model["g"]["g"].rm = rm
            self.model = model
            self.rm_map["g"] = rm
            self._state = _State(rm, index)
            self.reloads += 1

    def build_role_links(self) -> None:
        with self._write_lock:
            super().build_role_links()

    def clear_policy(self) -> None:
        with self._write_lock:
            super().clear_policy()
            self._reindex()

    def _reindex(self) -> None:
        self._state = _State(self._state.rm, PermissionIndex.from_rules(self.model["p"]["p"].policy))

    def _changed(self, sec: str, result: Any) -> Any:
        if sec == "p":
            self._reindex()
        return result

    def _add_policy(self, sec: str, ptype: str, rule: list[str]) -> Any:
        with self._write_lock:
            return self._changed(sec, super()._add_policy(sec, ptype, rule))

    def _add_policies(self, sec: str, ptype: str, rules: list[list[str]]) -> Any:
        with self._write_lock:
            return self._changed(sec, super()._add_policies(sec, ptype, rules))

    def _remove_policy(self, sec: str, ptype: str, rule: list[str]) -> Any:
        with self._write_lock:
            return self._changed(sec, super()._remove_policy(sec, ptype, rule))

    def _remove_policies(self, sec: str, ptype: str, rules: list[list[str]]) -> Any:
        with self._write_lock:
            return self._changed(sec, super()._remove_policies(sec, ptype, rules))

    def _remove_filtered_policy(self, sec: str, ptype: str, field_index: int, *values: str) -> Any:
        with self._write_lock:
            return self._changed(sec, super()._remove_filtered_policy(sec, ptype, field_index, *values))

    def _update_policy(self, sec: str, ptype: str, old: list[str], new: list[str]) -> Any:
        with self._write_lock:
            return self._changed(sec, super()._update_policy(sec, ptype, old, new))

    def _update_policies(self, sec: str, ptype: str, old: list[list[str]], new: list[list[str]]) -> Any:
        with self._write_lock:
            return self._changed(sec, super()._update_policies(sec, ptype, old, new))

    # -- decisions ---------------------------------------------------------------------------------
    def enforce(self, *rvals: Any) -> bool:
        """(sub, dom, obj, act) → allowed? Same answer as the matcher, from the indexes."""
        if len(rvals) != 4 or not self.enabled:
            return bool(super().enforce(*rvals))
        sub, dom, obj, act = (str(v) for v in rvals)
        state = self._state
        return state.index.allows((sub, *state.rm.implicit_roles(sub, dom)), dom, obj, act)

    def casbin_enforce(self, *rvals: Any) -> bool:
        """casbin's own matcher evaluation over every `p` line: the reference for the fast path."""
        return bool(super().enforce(*rvals))

    def roles_in(self, user: str, dom: str) -> list[str]:
        return self._state.rm.implicit_roles(user, dom)

    # -- changes seen by the watcher (or made by this process) -------------------------------------
    def apply_changes(self, added: Iterable[Rule] = (), removed: Iterable[Rule] = ()) -> None:
        """Apply committed policy lines to memory (idempotent; unknown ptypes are ignored)."""
        with self._write_lock:
            state = self._state
            for rule, adding in [*((r, False) for r in removed), *((r, True) for r in added)]:
                ptype, values = rule[0], list(rule[1 : 1 + tokens_for(rule[0])])
                sec = ptype[:1]
                if ptype not in self.model.model.get(sec, {}):
                    continue
                if adding and self.model.add_policy(sec, ptype, values):
                    self._index_change(state, sec, values, adding=True)
                elif not adding and self.model.remove_policy(sec, ptype, values):
                    self._index_change(state, sec, values, adding=False)

    @staticmethod
    def _index_change(state: _State, sec: str, values: Sequence[str], *, adding: bool) -> None:
        if sec == "g":
            (state.rm.add_link if adding else state.rm.delete_link)(*values)
        else:
            (state.index.add if adding else state.index.remove)(values)

    def counts(self) -> dict[str, int]:
        return {"p": len(self.model["p"]["p"].policy), "g": len(self.model["g"]["g"].policy)}
