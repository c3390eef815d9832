"""A casbin role manager for domains, sized for 100k assignments and safe for lock-free readers.

casbin's default `DomainManager` creates an entry for every name it is asked about (a leak when millions
of residents are checked), rebuilds a per-domain manager on first use and removes links by list scan.
This one keeps `domain -> user -> frozenset(roles)`; a change replaces the frozenset (one atomic dict
store), so readers never see a half-applied change and never need a lock. Writers are serialized by
the enforcer.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from casbin.rbac import RoleManager


class DomainRoleManager(RoleManager):  # type: ignore[misc]
    def __init__(self, max_hierarchy_level: int = 10) -> None:
        self.max_hierarchy_level = max_hierarchy_level
        self._links: dict[str, dict[str, frozenset[str]]] = {}

    @classmethod
    def from_rules(cls, rules: Iterable[Sequence[str]]) -> DomainRoleManager:
        """Bulk build from `g` lines (user, role, domain): no per-link bookkeeping."""
        links: dict[str, dict[str, frozenset[str]]] = {}
        for rule in rules:
            user, role = rule[0], rule[1]
            dom = rule[2] if len(rule) > 2 else ""
            users = links.get(dom)
            if users is None:
                users = links[dom] = {}
            roles = users.get(user)
            users[user] = frozenset((role,)) if roles is None else roles | {role}
        rm = cls()
        rm._links = links
        return rm

    @staticmethod
    def _domain(domain: Sequence[str]) -> str:
        if len(domain) > 1:
            raise RuntimeError("error: domain should be 1 parameter")
        return domain[0] if domain else ""

    def clear(self) -> None:
        self._links = {}

    def add_link(self, name1: str, name2: str, *domain: str) -> None:
        users = self._links.setdefault(self._domain(domain), {})
        users[name1] = users.get(name1, frozenset()) | {name2}

    def delete_link(self, name1: str, name2: str, *domain: str) -> None:
        users = self._links.get(self._domain(domain), {})
        roles = users.get(name1, frozenset()) - {name2}
        if roles:
            users[name1] = roles
        else:
            users.pop(name1, None)

    def roles_in(self, name: str, domain: str) -> frozenset[str]:
        """Direct roles of `name` in `domain` (empty when unknown; nothing is created)."""
        users = self._links.get(domain)
        return users.get(name, frozenset()) if users else frozenset()

    def implicit_roles(self, name: str, domain: str) -> list[str]:
        """All roles reachable from `name` in `domain`, breadth first, up to the hierarchy limit."""
        users = self._links.get(domain)
        if not users:
            return []
        seen: list[str] = []
        frontier = users.get(name, frozenset())
        for _ in range(self.max_hierarchy_level):
            fresh = [r for r in frontier if r not in seen and r != name]
            if not fresh:
                break
            seen.extend(fresh)
            frontier = frozenset().union(*(users.get(r, frozenset()) for r in fresh))
        return seen

    def has_link(self, name1: str, name2: str, *domain: str) -> bool:
        if name1 == name2:
            return True
        return name2 in self.implicit_roles(name1, self._domain(domain))

    def get_roles(self, name: str, *domain: str) -> list[str]:
        return sorted(self.roles_in(name, self._domain(domain)))

    def get_users(self, name: str, *domain: str) -> list[str]:
        users = self._links.get(self._domain(domain), {})
        return sorted(u for u, roles in list(users.items()) if name in roles)

    def get_domains(self, name: str) -> list[str]:
        return sorted(d for d, users in list(self._links.items()) if name in users)

    def link_count(self) -> int:
        return sum(len(roles) for users in self._links.values() for roles in users.values())

    def add_matching_func(self, fn: Any = None) -> None:
        raise NotImplementedError("pattern matching of role names is not used by this model")

    def add_domain_matching_func(self, fn: Any = None) -> None:
        raise NotImplementedError("pattern matching of domains is not used by this model")

    def print_roles(self) -> None:
        return None
