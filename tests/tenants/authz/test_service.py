"""Role management: a commune admin acts in their own commune only; custom roles never leak."""

import pytest
from sqlalchemy import Engine

from smartcommune.tenants.authz import CommuneEnforcer, is_allowed
from smartcommune.tenants.authz import service as svc
from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.database import app_engine
from smartcommune.tenants.errors import Conflict, Forbidden, InvalidInput, NotFound
from smartcommune.tenants.principal import PROVIDER_REALM, Principal


@pytest.fixture
def engine(enforcer: CommuneEnforcer) -> Engine:
    return app_engine()


@pytest.fixture
def admin_a(communes: tuple[TenantInfo, TenantInfo], kit, engine: Engine):
    a, _ = communes
    admin = kit.commune_user(a.commune_code)
    kit.grant(admin, a.commune_code, "commune_admin")
    return admin


def test_admin_creates_and_assigns_a_role_in_own_commune(engine: Engine, communes, admin_a, kit) -> None:
    a, b = communes
    role = svc.create_role(engine, admin_a, a.commune_code, "thu_quy_1", [("fees", "*"), ("reports", "read")])
    assert role.permissions == (("fees", "*"), ("reports", "read"))
    clerk = kit.commune_user(a.commune_code, b.commune_code)
    assert not is_allowed(clerk, a.commune_code, "fees", "write")
    svc.assign_role(engine, admin_a, a.commune_code, clerk.subject, "thu_quy_1")
    assert is_allowed(clerk, a.commune_code, "fees", "write")  # this process sees its own write at once
    # The custom role does not leak to commune B, where the clerk is also a member.
    assert not is_allowed(clerk, b.commune_code, "fees", "write")
    names = [r.name for r in svc.list_roles(engine, admin_a, a.commune_code)]
    assert "thu_quy_1" in names and "commune_admin" in names
    assert svc.Assignment(a.commune_code, clerk.casbin_subject, "thu_quy_1") in svc.list_assignments(
        engine, admin_a, a.commune_code
    )
    svc.revoke_role(engine, admin_a, a.commune_code, clerk.subject, "thu_quy_1")
    assert not is_allowed(clerk, a.commune_code, "fees", "write")
    with pytest.raises(NotFound) as err:
        svc.revoke_role(engine, admin_a, a.commune_code, clerk.subject, "thu_quy_1")
    assert err.value.code == "assignment_not_found"


def test_admin_of_a_sees_commune_b_as_not_found(engine: Engine, communes, admin_a, kit) -> None:
    _, b = communes
    target = kit.commune_user(b.commune_code)
    calls = [
        lambda: svc.create_role(engine, admin_a, b.commune_code, "thu_quy_x", [("fees", "read")]),
        lambda: svc.assign_role(engine, admin_a, b.commune_code, target.subject, "commune_admin"),
        lambda: svc.revoke_role(engine, admin_a, b.commune_code, target.subject, "commune_admin"),
        lambda: svc.list_roles(engine, admin_a, b.commune_code),
        lambda: svc.list_assignments(engine, admin_a, b.commune_code),
        lambda: svc.list_roles(engine, admin_a, 99999),
    ]
    for call in calls:
        with pytest.raises(NotFound) as err:
            call()
        assert err.value.status == 404 and err.value.code == "commune_not_found"
    assert not is_allowed(target, b.commune_code, "users", "write")


def test_custom_role_names_are_per_commune(engine: Engine, communes, admin_a, kit) -> None:
    a, b = communes
    svc.create_role(engine, admin_a, a.commune_code, "ke_toan", [("fees", "read")])
    provider = kit.provider("provider_admin")
    with pytest.raises(NotFound) as err:  # the role does not exist in B
        svc.assign_role(engine, provider, b.commune_code, kit.commune_user(b.commune_code).subject, "ke_toan")
    assert err.value.code == "role_not_found"
    svc.create_role(engine, provider, b.commune_code, "ke_toan", [("production", "*")])
    roles_b = {r.name: r for r in svc.list_roles(engine, provider, b.commune_code)}
    assert roles_b["ke_toan"].permissions == (("production", "*"),)
    with pytest.raises(Conflict) as dup:
        svc.create_role(engine, admin_a, a.commune_code, "ke_toan", [("fees", "read")])
    assert dup.value.code == "role_exists"


def test_no_provider_roles_no_builtin_names_no_bad_input(engine: Engine, communes, admin_a, kit) -> None:
    a, _ = communes
    user = kit.commune_user(a.commune_code)
    for role in ("provider_admin", "provider_operator"):
        with pytest.raises(Forbidden) as err:
            svc.assign_role(engine, admin_a, a.commune_code, user.subject, role)
        assert err.value.code == "provider_role"
    with pytest.raises(Conflict) as builtin:
        svc.create_role(engine, admin_a, a.commune_code, "commune_admin", [("fees", "read")])
    assert builtin.value.code == "builtin_role_name"
    bad = [
        (
            lambda: svc.create_role(engine, admin_a, a.commune_code, "Bad Name", [("fees", "read")]),
            "invalid_role_name",
        ),
        (lambda: svc.create_role(engine, admin_a, a.commune_code, "r_ok", []), "no_permissions"),
        (
            lambda: svc.create_role(engine, admin_a, a.commune_code, "r_ok", [("communes", "read")]),
            "invalid_permission",
        ),
        (
            lambda: svc.create_role(engine, admin_a, a.commune_code, "r_ok", [("fees", "delete")]),
            "invalid_permission",
        ),
        (
            lambda: svc.assign_role(engine, admin_a, a.commune_code, "a b,c", "commune_official"),
            "invalid_subject",
        ),
        (lambda: svc.assign_role(engine, admin_a, a.commune_code, user.subject, "resident"), "implicit_role"),
    ]
    for call, code in bad:
        with pytest.raises(InvalidInput) as err:
            call()
        assert err.value.code == code and err.value.message_vi and err.value.message_en
    svc.assign_role(engine, admin_a, a.commune_code, user.subject, "commune_official")
    with pytest.raises(Conflict) as dup:
        svc.assign_role(engine, admin_a, a.commune_code, f"user:{user.subject}", "commune_official")
    assert dup.value.code == "assignment_exists"


def test_permissions_are_checked_and_never_escalate(engine: Engine, communes, admin_a, kit) -> None:
    a, _ = communes
    official = kit.commune_user(a.commune_code)
    kit.grant(official, a.commune_code, "commune_official")
    with pytest.raises(Forbidden) as err:
        svc.create_role(engine, official, a.commune_code, "r_official", [("fees", "read")])
    assert err.value.code == "permission_denied" and err.value.status == 403
    assert svc.list_roles(engine, official, a.commune_code)  # officials may read roles
    # A delegate may assign roles, but only roles whose permissions it holds itself.
    svc.create_role(engine, admin_a, a.commune_code, "delegate", [("role_assignments", "*"), ("fees", "read")])
    delegate = kit.commune_user(a.commune_code)
    svc.assign_role(engine, admin_a, a.commune_code, delegate.subject, "delegate")
    with pytest.raises(Forbidden) as esc:
        svc.assign_role(engine, delegate, a.commune_code, delegate.subject, "commune_admin")
    assert esc.value.code == "permission_not_held"
    with pytest.raises(Forbidden):
        svc.create_role(engine, kit.provider("provider_operator"), a.commune_code, "r_op", [("fees", "read")])


def test_last_commune_admin_stays(engine: Engine, communes, kit) -> None:
    _, b = communes
    provider = kit.provider("provider_admin")
    admin = kit.commune_user(b.commune_code)
    admins = [x for x in svc.list_assignments(engine, provider, b.commune_code) if x.role == "commune_admin"]
    for x in admins:
        svc.revoke_role(engine, provider, b.commune_code, x.subject, "commune_admin")
    svc.assign_role(engine, provider, b.commune_code, admin.subject, "commune_admin")
    # Only commune admins revoke roles in a commune, so the last one could only remove it from themselves:
    # refused (another admin must do it), and the commune keeps its admin.
    with pytest.raises(Conflict) as err:
        svc.revoke_role(engine, admin, b.commune_code, admin.subject, "commune_admin")
    assert err.value.code == "own_admin_role"
    admins = [x for x in svc.list_assignments(engine, provider, b.commune_code) if x.role == "commune_admin"]
    assert len(admins) == 1 and admins[0].subject.endswith(admin.subject)


def test_delete_role_removes_rules_and_assignments(engine: Engine, communes, admin_a, kit) -> None:
    a, _ = communes
    svc.create_role(engine, admin_a, a.commune_code, "tam_thoi", [("cameras", "read")])
    user = kit.commune_user(a.commune_code)
    svc.assign_role(engine, admin_a, a.commune_code, user.subject, "tam_thoi")
    assert is_allowed(user, a.commune_code, "cameras", "read")
    svc.delete_role(engine, admin_a, a.commune_code, "tam_thoi")
    assert not is_allowed(user, a.commune_code, "cameras", "read")
    assert "tam_thoi" not in [r.name for r in svc.list_roles(engine, admin_a, a.commune_code)]
    with pytest.raises(NotFound):
        svc.delete_role(engine, admin_a, a.commune_code, "commune_admin")


def test_holders_of_lists_only_that_communes_role_holders(communes: tuple[TenantInfo, TenantInfo]) -> None:
    a, b = communes
    staff = Principal(subject="t", realm=PROVIDER_REALM, realm_roles=("provider_admin",))
    svc.assign_role(app_engine(), staff, a.commune_code, "user:holder-a", "village_head")
    svc.assign_role(app_engine(), staff, b.commune_code, "user:holder-b", "village_head")
    assert "holder-a" in svc.holders_of(app_engine(), a.commune_code, ["village_head"])
    assert "holder-b" not in svc.holders_of(app_engine(), a.commune_code, ["village_head", "commune_admin"])
