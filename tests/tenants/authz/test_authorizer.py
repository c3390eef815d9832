"""`is_allowed` against real PostgreSQL, both communes, every built-in role, every catalogued permission."""

import itertools

import pytest

from smartcommune.tenants.authz import (
    COMMUNE_ROLES,
    OBJECTS,
    PROVIDER_ROLES,
    CommuneEnforcer,
    catalogue_allows,
    is_allowed,
    roles_in,
)
from smartcommune.tenants.authz.model import ACTIONS
from smartcommune.tenants.authz.policy import RESIDENT
from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.principal import COMMUNE_REALM, Principal

PERMISSIONS = list(itertools.product(OBJECTS, ACTIONS))


def test_builtin_roles_spot_checks(enforcer: CommuneEnforcer, communes: tuple[TenantInfo, TenantInfo], kit) -> None:
    a, _ = communes
    admin, official, head = (
        kit.commune_user(a.commune_code),
        kit.commune_user(a.commune_code),
        kit.commune_user(a.commune_code),
    )
    kit.grant(admin, a.commune_code, "commune_admin")
    kit.grant(official, a.commune_code, "commune_official")
    kit.grant(head, a.commune_code, "village_head")
    code = a.commune_code
    assert is_allowed(admin, code, "role_assignments", "write")
    assert not is_allowed(admin, code, "communes", "read")
    assert not is_allowed(admin, None, "fleet", "read")
    assert is_allowed(official, code, "fees", "write") and not is_allowed(official, code, "users", "write")
    assert is_allowed(head, code, "announcements", "write") and not is_allowed(head, code, "settings", "read")


def test_any_member_is_implicitly_a_resident(
    enforcer: CommuneEnforcer, communes: tuple[TenantInfo, TenantInfo], kit
) -> None:
    a, b = communes
    resident = kit.commune_user(a.commune_code)
    assert is_allowed(resident, a.commune_code, "reports", "write")
    assert is_allowed(resident, a.commune_code, "announcements", "read")
    assert not is_allowed(resident, a.commune_code, "announcements", "write")
    assert not is_allowed(resident, a.commune_code, "users", "read")
    assert not is_allowed(resident, b.commune_code, "reports", "read")
    assert enforcer.roles_in(resident.casbin_subject, a.domain) == []


def test_provider_roles_come_from_the_staff_token_only(
    enforcer: CommuneEnforcer, communes: tuple[TenantInfo, TenantInfo], kit
) -> None:
    a, _ = communes
    admin, operator = kit.provider("provider_admin"), kit.provider("provider_operator")
    assert is_allowed(admin, None, "communes", "write") and is_allowed(admin, a.commune_code, "users", "write")
    assert is_allowed(operator, None, "fleet", "write") and not is_allowed(operator, a.commune_code, "users", "read")
    assert not is_allowed(kit.provider("unknown_role"), None, "communes", "read")
    # A commune-realm token that claims a provider role gets nothing from it.
    forged = Principal(subject="x", realm=COMMUNE_REALM, organizations=(a.domain,), realm_roles=("provider_admin",))
    assert not is_allowed(forged, None, "communes", "read")
    assert not is_allowed(forged, a.commune_code, "users", "write")
    # A token of another realm (not provider, not communes) gets nothing at all.
    assert not is_allowed(
        Principal(subject="y", realm="other", organizations=(a.domain,)), a.commune_code, "reports", "read"
    )


@pytest.mark.parametrize("role", COMMUNE_ROLES)
def test_matrix_commune_roles(
    role: str, enforcer: CommuneEnforcer, communes: tuple[TenantInfo, TenantInfo], kit
) -> None:
    """Role × (object, action) × commune: agrees with the catalogue, never allows across communes."""
    for home, other in (communes, communes[::-1]):
        user = kit.commune_user(home.commune_code)
        if role != RESIDENT:
            kit.grant(user, home.commune_code, role)
            # Even an assignment in the other commune gives nothing without membership there.
            kit.grant(user, other.commune_code, role)
        both = kit.commune_user(home.commune_code, other.commune_code)
        if role != RESIDENT:
            kit.grant(both, home.commune_code, role)
        for obj, act in PERMISSIONS:
            expected = catalogue_allows(role, obj, act) or catalogue_allows(RESIDENT, obj, act)
            assert is_allowed(user, home.commune_code, obj, act) == expected, (role, home.slug, obj, act)
            assert not is_allowed(user, other.commune_code, obj, act), (role, other.slug, obj, act)
            assert not is_allowed(user, None, obj, act)
            # Member of both, role only at home: only resident rights in the other commune.
            assert is_allowed(both, home.commune_code, obj, act) == expected
            assert is_allowed(both, other.commune_code, obj, act) == catalogue_allows(RESIDENT, obj, act)


@pytest.mark.parametrize("role", PROVIDER_ROLES)
def test_matrix_provider_roles(
    role: str, enforcer: CommuneEnforcer, communes: tuple[TenantInfo, TenantInfo], kit
) -> None:
    staff = kit.provider(role)
    for code in (None, *(c.commune_code for c in communes)):
        for obj, act in PERMISSIONS:
            assert is_allowed(staff, code, obj, act) == catalogue_allows(role, obj, act), (
                role,
                code,
                obj,
                act,
            )


def test_roles_in_lists_what_is_allowed_evaluates(
    enforcer: CommuneEnforcer, communes: tuple[TenantInfo, TenantInfo], kit
) -> None:
    a, b = communes
    official = kit.commune_user(a.commune_code)
    kit.grant(official, a.commune_code, "commune_official")
    assert roles_in(official, a.commune_code) == ["commune_official", "resident"]
    assert roles_in(official, b.commune_code) == []
    assert roles_in(kit.commune_user(b.commune_code), b.commune_code) == ["resident"]
    assert roles_in(kit.provider("provider_operator", "offline_access"), None) == ["provider_operator"]
    assert is_allowed(official, a.commune_code, "profile", "read")
