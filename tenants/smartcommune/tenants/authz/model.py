"""The casbin model: RBAC with domains, one shared copy of the permission rules.

Policy lines, as stored in `control.casbin_rule`:
    p, <role>, <domain>, <object>, <action>     domain `*` = shared by every commune
    g, user:<sub>, <role>, <commune code>        a role assignment inside one commune
"""

from __future__ import annotations

from typing import Final

ANY: Final = "*"
"""The shared domain (rules every commune uses) and the wildcard action."""

READ: Final = "read"
WRITE: Final = "write"
ACTIONS: Final = (READ, WRITE)
GRANTABLE_ACTIONS: Final = (READ, WRITE, ANY)

P_TOKENS: Final = 4
G_TOKENS: Final = 3

MATCHER: Final = (
    'g(r.sub, p.sub, r.dom) && (p.dom == "*" || p.dom == r.dom) '
    '&& keyMatch(r.obj, p.obj) && (p.act == "*" || r.act == p.act)'
)

MODEL_TEXT: Final = f"""
[request_definition]
r = sub, dom, obj, act

[policy_definition]
p = sub, dom, obj, act

[role_definition]
g = _, _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = {MATCHER}
"""

Rule = tuple[str, ...]
"""A policy line with its ptype first: ("p", sub, dom, obj, act) or ("g", user, role, dom)."""


def p_rule(sub: str, dom: str, obj: str, act: str) -> Rule:
    return ("p", sub, dom, obj, act)


def g_rule(user: str, role: str, dom: str) -> Rule:
    return ("g", user, role, dom)


def tokens_for(ptype: str) -> int:
    return P_TOKENS if ptype.startswith("p") else G_TOKENS
