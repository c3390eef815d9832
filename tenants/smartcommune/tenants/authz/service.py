"""Role management inside one commune: custom roles, assignments, listings.

Rules:
- Everything happens inside one commune (`commune_code`). A caller who is not a member of that commune
  (and not provider staff) gets NotFound, exactly like a commune that does not exist: 404, never 403.
- Writing roles needs (`roles`, write); writing assignments needs (`role_assignments`, write); listing
  needs read. The catalogue gives these to `commune_admin` (own commune) and `provider_admin` (any).
- Custom roles are stored with domain = that commune only, so they never leak to another commune. Their
  names may not collide with built-in roles. They may only carry commune objects, and only permissions
  the caller holds itself; likewise a caller may only assign a role whose permissions it holds.
- Provider roles come from the staff realm's token, never from an assignment.

Each change runs in one transaction (serialized per commune by an advisory lock) that also NOTIFYs the
watchers; this process's enforcer applies the change at once after commit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from sqlalchemy import Connection, Engine, text

from smartcommune.tenants.authz import store
from smartcommune.tenants.authz.authorizer import current_enforcer, is_allowed
from smartcommune.tenants.authz.model import GRANTABLE_ACTIONS, Rule, g_rule, p_rule
from smartcommune.tenants.authz.policy import (
    BUILTIN_ROLES,
    COMMUNE_ADMIN,
    COMMUNE_OBJECTS,
    COMMUNE_ROLES,
    IMPLICIT_ROLE,
    PROVIDER_ROLES,
    expand_action,
    role_permissions,
)
from smartcommune.tenants.errors import Conflict, Forbidden, InvalidInput, NotFound
from smartcommune.tenants.principal import Principal

ROLE_NAME: Final = re.compile(r"[a-z][a-z0-9_]{1,62}")
SUBJECT: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@:+-]{0,199}")
USER_PREFIX: Final = "user:"

Permission = tuple[str, str]


@dataclass(frozen=True)
class RoleInfo:
    name: str
    builtin: bool
    permissions: tuple[Permission, ...]


@dataclass(frozen=True)
class Assignment:
    commune_code: int
    subject: str
    role: str


# -- guards -------------------------------------------------------------------------------------------
def _not_found(commune_code: int) -> NotFound:
    return NotFound(
        f"Không tìm thấy xã {commune_code}.",
        f"Commune {commune_code} not found.",
        code="commune_not_found",
    )


def _require(conn: Connection, actor: Principal, commune_code: int, obj: str, act: str) -> None:
    """404 for a commune the actor cannot see (or that does not exist), 403 for a missing permission."""
    if not actor.is_provider_staff and not actor.member_of(commune_code):
        raise _not_found(commune_code)
    exists = conn.execute(text("SELECT 1 FROM control.tenants WHERE commune_code = :c"), {"c": commune_code}).first()
    if exists is None:
        raise _not_found(commune_code)
    if not is_allowed(actor, commune_code, obj, act):
        raise Forbidden(
            f"Bạn không có quyền {act} trên {obj} tại xã này.",
            f"You may not {act} {obj} in this commune.",
            code="permission_denied",
            object=obj,
            action=act,
        )


def _require_holds(actor: Principal, commune_code: int, permissions: Iterable[Permission]) -> None:
    """No escalation: a caller can only hand out permissions it holds itself."""
    for obj, act in permissions:
        for concrete in expand_action(act):
            if not is_allowed(actor, commune_code, obj, concrete):
                raise Forbidden(
                    f"Không thể trao quyền mà bạn không có: {obj}/{act}.",
                    f"You cannot grant a permission you do not hold: {obj}/{act}.",
                    code="permission_not_held",
                    object=obj,
                    action=act,
                )


def _lock(conn: Connection, commune_code: int) -> None:
    conn.execute(text("SELECT pg_advisory_xact_lock(hashtext('sc_policy'), :c)"), {"c": commune_code})


def _subject(subject: str) -> str:
    raw = subject[len(USER_PREFIX) :] if subject.startswith(USER_PREFIX) else subject
    if not SUBJECT.fullmatch(raw):
        raise InvalidInput("Mã người dùng không hợp lệ.", "Invalid user id.", code="invalid_subject", subject=subject)
    return USER_PREFIX + raw


def _commit_local(added: Sequence[Rule] = (), removed: Sequence[Rule] = ()) -> None:
    enforcer = current_enforcer()
    if enforcer is not None:
        enforcer.apply_changes(added, removed)


# -- reads --------------------------------------------------------------------------------------------
def _custom_roles(conn: Connection, commune_code: int) -> dict[str, list[Permission]]:
    rows = conn.execute(
        text("SELECT v0, v2, v3 FROM control.casbin_rule WHERE ptype = 'p' AND v1 = :d ORDER BY v0, v2, v3"),
        {"d": str(commune_code)},
    ).all()
    roles: dict[str, list[Permission]] = {}
    for name, obj, act in rows:
        roles.setdefault(name, []).append((obj, act))
    return roles


def _role_permissions(conn: Connection, commune_code: int, role: str) -> list[Permission] | None:
    if role in COMMUNE_ROLES:
        return role_permissions(role)
    return _custom_roles(conn, commune_code).get(role)


def list_roles(engine: Engine, actor: Principal, commune_code: int) -> list[RoleInfo]:
    """Built-in commune roles, then the commune's own roles, each with its permissions."""
    with engine.connect() as conn:
        _require(conn, actor, commune_code, "roles", "read")
        custom = _custom_roles(conn, commune_code)
    builtin = [RoleInfo(r, True, tuple(role_permissions(r))) for r in COMMUNE_ROLES]
    return builtin + [RoleInfo(name, False, tuple(perms)) for name, perms in sorted(custom.items())]


def list_assignments(engine: Engine, actor: Principal, commune_code: int) -> list[Assignment]:
    with engine.connect() as conn:
        _require(conn, actor, commune_code, "role_assignments", "read")
        rows = conn.execute(
            text("SELECT v0, v1 FROM control.casbin_rule WHERE ptype = 'g' AND v2 = :d ORDER BY v1, v0"),
            {"d": str(commune_code)},
        ).all()
    return [Assignment(commune_code, subject, role) for subject, role in rows]


# -- writes -------------------------------------------------------------------------------------------
def _validate_role_name(role_name: str) -> None:
    if role_name in BUILTIN_ROLES:
        raise Conflict(
            f"Tên vai trò '{role_name}' là vai trò có sẵn.",
            f"'{role_name}' is a built-in role name.",
            code="builtin_role_name",
        )
    if not ROLE_NAME.fullmatch(role_name):
        raise InvalidInput(
            "Tên vai trò chỉ gồm chữ thường không dấu, số và dấu gạch dưới (2–63 ký tự).",
            "A role name is 2–63 characters: lower-case ASCII letters, digits and underscores.",
            code="invalid_role_name",
        )


def _validate_permissions(permissions: Sequence[Permission]) -> list[Permission]:
    if not permissions:
        raise InvalidInput(
            "Vai trò cần ít nhất một quyền.", "A role needs at least one permission.", code="no_permissions"
        )
    clean: list[Permission] = []
    for obj, act in permissions:
        if obj not in COMMUNE_OBJECTS or act not in GRANTABLE_ACTIONS:
            raise InvalidInput(
                f"Quyền không hợp lệ: {obj}/{act}.",
                f"Unknown permission: {obj}/{act}.",
                code="invalid_permission",
                object=obj,
                action=act,
                objects=list(COMMUNE_OBJECTS),
                actions=list(GRANTABLE_ACTIONS),
            )
        if (obj, act) not in clean:
            clean.append((obj, act))
    return clean


def create_role(
    engine: Engine, actor: Principal, commune_code: int, role_name: str, permissions: Sequence[Permission]
) -> RoleInfo:
    """A role of this commune only: `p, <role_name>, <commune_code>, <obj>, <act>` lines."""
    _validate_role_name(role_name)
    perms = _validate_permissions(permissions)
    with engine.begin() as conn:
        _require(conn, actor, commune_code, "roles", "write")
        _require_holds(actor, commune_code, perms)
        _lock(conn, commune_code)
        if role_name in _custom_roles(conn, commune_code):
            raise Conflict(
                f"Vai trò '{role_name}' đã tồn tại.",
                f"Role '{role_name}' already exists.",
                code="role_exists",
            )
        added = store.insert_rules(conn, [p_rule(role_name, str(commune_code), o, a) for o, a in perms])
        store.notify(conn, added=added)
    _commit_local(added=added)
    return RoleInfo(role_name, False, tuple(sorted(perms)))


def delete_role(engine: Engine, actor: Principal, commune_code: int, role_name: str) -> None:
    """Remove a commune's own role together with its assignments in that commune."""
    with engine.begin() as conn:
        _require(conn, actor, commune_code, "roles", "write")
        _lock(conn, commune_code)
        perms = _custom_roles(conn, commune_code).get(role_name)
        if role_name in BUILTIN_ROLES or perms is None:
            raise NotFound(f"Không có vai trò '{role_name}'.", f"No role '{role_name}'.", code="role_not_found")
        dom = str(commune_code)
        holders = conn.execute(
            text("SELECT v0 FROM control.casbin_rule WHERE ptype = 'g' AND v1 = :r AND v2 = :d"),
            {"r": role_name, "d": dom},
        ).scalars()
        doomed = [p_rule(role_name, dom, o, a) for o, a in perms]
        doomed += [g_rule(s, role_name, dom) for s in holders]
        removed = store.delete_rules(conn, doomed)
        store.notify(conn, removed=removed)
    _commit_local(removed=removed)


def _assignable(conn: Connection, actor: Principal, commune_code: int, role: str) -> list[Permission]:
    if role in PROVIDER_ROLES:
        raise Forbidden(
            "Vai trò của nhà cung cấp không thể gán trong xã.",
            "Provider roles cannot be assigned inside a commune.",
            code="provider_role",
        )
    if role == IMPLICIT_ROLE:
        raise InvalidInput(
            "Mọi thành viên của xã đã là cư dân.",
            "Every member of the commune is already a resident.",
            code="implicit_role",
        )
    perms = _role_permissions(conn, commune_code, role)
    if perms is None:
        raise NotFound(f"Không có vai trò '{role}'.", f"No role '{role}'.", code="role_not_found")
    return perms


def assign_role(engine: Engine, actor: Principal, commune_code: int, subject: str, role: str) -> Assignment:
    """`g, user:<sub>, <role>, <commune_code>`."""
    user = _subject(subject)
    with engine.begin() as conn:
        _require(conn, actor, commune_code, "role_assignments", "write")
        _lock(conn, commune_code)
        _require_holds(actor, commune_code, _assignable(conn, actor, commune_code, role))
        added = store.insert_rules(conn, [g_rule(user, role, str(commune_code))])
        if not added:
            raise Conflict(
                "Người dùng đã có vai trò này.", "The user already holds this role.", code="assignment_exists"
            )
        store.notify(conn, added=added)
    _commit_local(added=added)
    return Assignment(commune_code, user, role)


def revoke_role(engine: Engine, actor: Principal, commune_code: int, subject: str, role: str) -> None:
    user = _subject(subject)
    dom = str(commune_code)
    with engine.begin() as conn:
        _require(conn, actor, commune_code, "role_assignments", "write")
        _lock(conn, commune_code)
        if role in PROVIDER_ROLES:
            _assignable(conn, actor, commune_code, role)
        if role == COMMUNE_ADMIN and user == actor.casbin_subject and not actor.is_provider_staff:
            raise Conflict(
                "Không thể tự thu hồi vai trò quản trị của chính mình: cần một quản trị viên khác thực hiện.",
                "You cannot revoke your own admin role: another admin has to do it.",
                code="own_admin_role",
            )
        if role == COMMUNE_ADMIN:
            admins = conn.execute(
                text("SELECT count(*) FROM control.casbin_rule WHERE ptype = 'g' AND v1 = :r AND v2 = :d"),
                {"r": COMMUNE_ADMIN, "d": dom},
            ).scalar_one()
            if admins <= 1 and not actor.is_provider_staff:
                raise Conflict(
                    "Không thể thu hồi quản trị viên cuối cùng của xã.",
                    "The commune's last admin cannot be revoked.",
                    code="last_commune_admin",
                )
        removed = store.delete_rules(conn, [g_rule(user, role, dom)])
        if not removed:
            raise NotFound(
                "Người dùng không có vai trò này.",
                "The user does not hold this role.",
                code="assignment_not_found",
            )
        store.notify(conn, removed=removed)
    _commit_local(removed=removed)


def members_of(engine: Engine, commune_code: int) -> list[str]:
    """Account subjects holding any role in this commune: its staff (residents hold no assignment).

    System use (pickers, notifications); never expose the result to another commune.
    """
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT DISTINCT v0 FROM control.casbin_rule WHERE ptype = 'g' AND v2 = :dom ORDER BY v0"),
            {"dom": str(commune_code)},
        ).all()
    return [subject.removeprefix(USER_PREFIX) for (subject,) in rows]


def holders_of(engine: Engine, commune_code: int, roles: Iterable[str]) -> list[str]:
    """Account subjects (token `sub`) holding any of `roles` in this commune: whom to notify.

    System use (escalations, alerts): no caller check; never expose the result to another commune.
    """
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT DISTINCT v0 FROM control.casbin_rule "
                "WHERE ptype = 'g' AND v2 = :dom AND v1 = ANY(:roles) ORDER BY v0"
            ),
            {"dom": str(commune_code), "roles": list(roles)},
        ).all()
    return [subject.removeprefix(USER_PREFIX) for (subject,) in rows]
