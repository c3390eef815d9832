"""Permission rules indexed by (subject, domain): the enforcer's fast path looks up a handful of keys
instead of evaluating the matcher against every rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from casbin.util import key_match

from smartcommune.tenants.authz.model import ANY


@dataclass(frozen=True)
class Grants:
    """The (object, action) pairs of one (subject, domain): exact objects in a dict, patterns apart."""

    pairs: frozenset[tuple[str, str]]
    exact: Mapping[str, frozenset[str]] = field(default_factory=dict)
    patterns: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, pairs: frozenset[tuple[str, str]]) -> Grants:
        exact: dict[str, set[str]] = {}
        patterns: list[tuple[str, str]] = []
        for obj, act in pairs:
            if "*" in obj:
                patterns.append((obj, act))
            else:
                exact.setdefault(obj, set()).add(act)
        return cls(pairs, {o: frozenset(a) for o, a in exact.items()}, tuple(sorted(patterns)))

    def allows(self, obj: str, act: str) -> bool:
        acts = self.exact.get(obj)
        if acts is not None and (ANY in acts or act in acts):
            return True
        return any(a in (ANY, act) and key_match(obj, o) for o, a in self.patterns)


class PermissionIndex:
    """`(sub, dom) -> Grants`. Each change replaces one entry (atomic store): readers need no lock."""

    def __init__(self) -> None:
        self._by_key: dict[tuple[str, str], Grants] = {}

    @classmethod
    def from_rules(cls, rules: Iterable[Sequence[str]]) -> PermissionIndex:
        staging: dict[tuple[str, str], set[tuple[str, str]]] = {}
        for sub, dom, obj, act in (r[:4] for r in rules):
            staging.setdefault((sub, dom), set()).add((obj, act))
        index = cls()
        index._by_key = {key: Grants.of(frozenset(pairs)) for key, pairs in staging.items()}
        return index

    def get(self, sub: str, dom: str) -> Grants | None:
        return self._by_key.get((sub, dom))

    def add(self, rule: Sequence[str]) -> None:
        sub, dom, obj, act = rule[:4]
        current = self._by_key.get((sub, dom))
        pairs = current.pairs if current else frozenset()
        self._by_key[(sub, dom)] = Grants.of(pairs | {(obj, act)})

    def remove(self, rule: Sequence[str]) -> None:
        sub, dom, obj, act = rule[:4]
        current = self._by_key.get((sub, dom))
        if current is None:
            return
        pairs = current.pairs - {(obj, act)}
        if pairs:
            self._by_key[(sub, dom)] = Grants.of(pairs)
        else:
            self._by_key.pop((sub, dom), None)

    def allows(self, subjects: Iterable[str], dom: str, obj: str, act: str) -> bool:
        """The matcher, for the given subject closure: rules of the shared domain and of `dom`."""
        domains = (ANY,) if dom == ANY else (ANY, dom)
        for sub in subjects:
            for d in domains:
                grants = self._by_key.get((sub, d))
                if grants is not None and grants.allows(obj, act):
                    return True
        return False

    def __len__(self) -> int:
        return sum(len(g.pairs) for g in self._by_key.values())
