"""The indexed fast path answers exactly what casbin's own matcher answers (no database needed)."""

import itertools

from smartcommune.tenants.authz import ANY, BUILTIN_ROLES, OBJECTS, CommuneEnforcer
from smartcommune.tenants.authz.model import g_rule, p_rule
from smartcommune.tenants.authz.policy import shared_rules

A, B = "19597", "16012"


def _enforcer() -> CommuneEnforcer:
    e = CommuneEnforcer()
    e.apply_changes(
        [
            *shared_rules(),
            g_rule("user:a_admin", "commune_admin", A),
            g_rule("user:a_clerk", "thu_quy", A),
            g_rule("user:both", "village_head", B),
            g_rule("thu_quy", "commune_official", A),  # a role inheriting from another, in A only
            p_rule("thu_quy", A, "audit", ANY),
            p_rule("ke_toan", B, "reports/*", "read"),
            g_rule("user:b_acc", "ke_toan", B),
        ]
    )
    return e


def test_fast_path_agrees_with_casbin_matcher_on_every_generated_request() -> None:
    e = _enforcer()
    subjects = [
        *BUILTIN_ROLES,
        "thu_quy",
        "ke_toan",
        "user:a_admin",
        "user:a_clerk",
        "user:both",
        "user:b_acc",
        "user:nobody",
    ]
    objects = [*OBJECTS, "reports/42", "reports", "unknown"]
    checked = 0
    for sub, dom, obj, act in itertools.product(subjects, [A, B, ANY, "99999"], objects, ["read", "write", "x"]):
        assert e.enforce(sub, dom, obj, act) == e.casbin_enforce(sub, dom, obj, act), (sub, dom, obj, act)
        checked += 1
    assert checked > 2000


def test_role_hierarchy_and_patterns_stay_in_their_domain() -> None:
    e = _enforcer()
    assert e.enforce("user:a_clerk", A, "audit", "write")
    assert e.enforce("user:a_clerk", A, "announcements", "write")  # via commune_official in A
    assert not e.enforce("user:a_clerk", B, "audit", "read")
    assert e.enforce("user:b_acc", B, "reports/7", "read")
    assert not e.enforce("user:b_acc", A, "reports/7", "read")


def test_unknown_subjects_leave_no_trace_in_the_role_manager() -> None:
    e = _enforcer()
    before = e.get_role_manager().link_count()
    for i in range(1000):
        e.enforce(f"user:resident{i}", A, "reports", "read")
    assert e.get_role_manager().link_count() == before
    assert e.get_role_manager().get_domains("user:resident1") == []


def test_removing_changes_applies_to_both_indexes() -> None:
    e = _enforcer()
    e.apply_changes(removed=[g_rule("user:a_admin", "commune_admin", A), p_rule("thu_quy", A, "audit", ANY)])
    assert not e.enforce("user:a_admin", A, "users", "write")
    assert not e.enforce("user:a_clerk", A, "audit", "write")
    assert e.enforce("user:a_clerk", A, "fees", "write")  # still a commune_official through thu_quy
    e.apply_changes(removed=[g_rule("user:a_admin", "commune_admin", A)])  # idempotent
    assert e.counts()["g"] == 4
