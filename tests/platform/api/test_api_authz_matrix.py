"""A generated matrix role × route × commune, through the real app, checked against the policy.

Routes and the (object, action) each one authorizes are discovered from the app's dependency closures;
for every built-in role and both communes the HTTP outcome (403 or the route's success status) must
agree with `is_allowed` and with the catalogue, writes must leave exactly one audit row where allowed and
none where refused, and no commune token is ever allowed in the other commune.
"""

from __future__ import annotations

from typing import Any

from smartcommune.platform.identity.tokens import validate_bearer
from smartcommune.tenants.authz.authorizer import is_allowed
from smartcommune.tenants.authz.policy import COMMUNE_ROLES, PROVIDER_ROLES, RESIDENT, catalogue_allows

EXPECTED_COMMUNE_GUARDS = {
    ("GET", "/api/v1/me"): ("profile", "read"),
    ("GET", "/api/v1/roles"): ("roles", "read"),
    ("POST", "/api/v1/roles"): ("roles", "write"),
    ("DELETE", "/api/v1/roles/{name}"): ("roles", "write"),
    ("GET", "/api/v1/role-assignments"): ("role_assignments", "read"),
    ("POST", "/api/v1/role-assignments"): ("role_assignments", "write"),
    ("DELETE", "/api/v1/role-assignments"): ("role_assignments", "write"),
    ("GET", "/api/v1/users"): ("users", "read"),
    ("POST", "/api/v1/users"): ("users", "write"),
    ("GET", "/api/v1/villages"): ("villages", "read"),
    ("POST", "/api/v1/villages"): ("villages", "write"),
    ("GET", "/api/v1/villages/{village_id}"): ("villages", "read"),
    ("PATCH", "/api/v1/villages/{village_id}"): ("villages", "write"),
    ("GET", "/api/v1/audit"): ("audit", "read"),
    ("GET", "/api/v1/inbox"): ("profile", "read"),
    ("POST", "/api/v1/inbox/{item_id}/read"): ("profile", "read"),
}


def _oracle(role: str, obj: str, act: str) -> bool:
    """The catalogue alone: commune members also hold `resident` implicitly."""
    if role in PROVIDER_ROLES:
        return catalogue_allows(role, obj, act)
    return catalogue_allows(role, obj, act) or catalogue_allows(RESIDENT, obj, act)


def test_discovery_finds_the_guards_the_routers_declare(kit: Any) -> None:
    """The introspection the matrix relies on reads the (object, action) pairs written in the routers;
    a route added without updating this table fails here, so the matrix never silently shrinks."""
    discovered = {(s.method, s.path): (s.obj, s.act) for s in kit.routes if s.kind == "commune"}
    assert discovered == EXPECTED_COMMUNE_GUARDS


def test_commune_route_matrix(api: Any, kit: Any, commune_route: Any, role: str) -> None:
    obj, act = commune_route.obj, commune_route.act
    # Audited writes change commune data; a personal read receipt (act "read") is not audited.
    is_write = commune_route.method != "GET" and act != "read"
    outcomes = []
    for tenant in (api.a, api.b):
        other = api.other(tenant)
        actor = api.actor(tenant, role)
        principal = validate_bearer(actor.token)
        allowed = is_allowed(principal, tenant.commune_code, obj, act)
        assert allowed == _oracle(role, obj, act), (role, obj, act)

        req = kit.request_for(commune_route, tenant)
        here, there = kit.audit_count(tenant), kit.audit_count(other)
        response = api.send(req, tenant=tenant, actor=actor)
        outcomes.append((tenant.slug, response.status_code))
        if allowed:
            assert response.status_code == req.expect, (role, tenant.slug, response.text)
        else:
            assert response.status_code == 403, (role, tenant.slug, response.text)
            assert kit.error_code(response) == "forbidden"
        assert kit.audit_count(tenant) - here == (1 if allowed and is_write else 0)
        assert kit.audit_count(other) == there

        # No cross-commune allow: the same role's token of this commune, on the other commune.
        if role in COMMUNE_ROLES:
            assert not is_allowed(principal, other.commune_code, obj, act)
            req = kit.request_for(commune_route, other)
            state = kit.commune_state(other)
            response = api.send(req, tenant=other, actor=actor)
            assert response.status_code == 401, response.text
            assert kit.error_code(response) == "token_commune_mismatch"
            assert kit.commune_state(other) == state
    # The policy is shared: a role fares the same in both communes.
    assert outcomes[0][1] == outcomes[1][1], outcomes


def test_provider_route_matrix(api: Any, kit: Any, provider_route: Any, role: str) -> None:
    obj, act = provider_route.obj, provider_route.act
    actor = api.actor(api.a, role)
    principal = validate_bearer(actor.token)
    allowed = is_allowed(principal, None, obj, act)
    assert allowed == (role in PROVIDER_ROLES and catalogue_allows(role, obj, act))
    req = kit.request_for(provider_route, api.a)
    fleet = kit.scalar("SELECT string_agg(concat_ws(',', slug, status), ';' ORDER BY slug) FROM control.tenants")
    response = api.send(req, actor=actor)
    if role in COMMUNE_ROLES:
        assert response.status_code == 401, response.text
        assert kit.error_code(response) == "token_wrong_realm"
    elif allowed:
        assert response.status_code == req.expect, response.text
    else:
        assert response.status_code == 403, response.text
        assert kit.error_code(response) == "forbidden"
    # The provider API does not exist on a commune's host, for anyone.
    for tenant in (api.a, api.b):
        for via in ("host", "prefix"):
            response = api.send(req, tenant=tenant, via=via, actor=actor)
            assert response.status_code == 404, response.text
    assert kit.scalar("SELECT string_agg(concat_ws(',', slug, status), ';' ORDER BY slug) FROM control.tenants") == (
        fleet
    )


def test_anonymous_callers_are_asked_to_authenticate(api: Any, kit: Any, guarded_route: Any) -> None:
    req = kit.request_for(guarded_route, api.a)
    response = api.send(req, tenant=api.a if guarded_route.kind == "commune" else None)
    assert response.status_code == 401
    assert kit.error_code(response) == "token_missing"
