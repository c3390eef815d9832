from sqlalchemy import text

from smartcommune.tenants.authz import (
    ANY,
    BUILTIN_ROLES,
    CATALOGUE,
    COMMUNE_OBJECTS,
    PROVIDER_OBJECTS,
    PROVIDER_ROLES,
    CommuneEnforcer,
    seed_shared_policy,
)
from smartcommune.tenants.authz.model import GRANTABLE_ACTIONS
from smartcommune.tenants.authz.policy import shared_rules
from smartcommune.tenants.database import owner_engine


def test_catalogue_covers_every_builtin_role_with_valid_actions() -> None:
    assert set(CATALOGUE) == set(BUILTIN_ROLES)
    for grants in CATALOGUE.values():
        assert grants, "every built-in role can do something"
        assert set(grants.values()) <= set(GRANTABLE_ACTIONS)
        assert set(grants) <= set(PROVIDER_OBJECTS + COMMUNE_OBJECTS)


def test_provider_objects_belong_to_provider_roles_only() -> None:
    for role, grants in CATALOGUE.items():
        if role not in PROVIDER_ROLES:
            assert not set(grants) & set(PROVIDER_OBJECTS), role


def test_shared_rules_are_one_copy_in_the_shared_domain() -> None:
    rules = shared_rules()
    assert len(rules) == len(set(rules)) == sum(len(g) for g in CATALOGUE.values())
    assert {r[0] for r in rules} == {"p"} and {r[2] for r in rules} == {ANY}


def test_seed_is_idempotent_and_stores_one_copy(enforcer: CommuneEnforcer) -> None:
    assert seed_shared_policy(owner_engine()) == []
    with owner_engine().connect() as conn:
        stored = conn.execute(
            text("SELECT count(*) FROM control.casbin_rule WHERE ptype = 'p' AND v1 = '*'")
        ).scalar_one()
    assert stored == len(shared_rules())
