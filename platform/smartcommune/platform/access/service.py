"""Users and roles of one commune. Accounts live with the identity provider; roles in the policy store."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from smartcommune.platform.access.schemas import AssignmentOut, RoleIn, RoleOut, UserIn
from smartcommune.platform.http.auth import CommuneCall
from smartcommune.platform.identity.accounts import create_account
from smartcommune.tenants import audit
from smartcommune.tenants.authz import service as authz
from smartcommune.tenants.control.models import IdentityAccount
from smartcommune.tenants.database import app_engine
from smartcommune.tenants.errors import InvalidInput, NotFound
from smartcommune.tenants.principal import COMMUNE_REALM

USER_PREFIX = "user:"


def _audit(call: CommuneCall, action: str, object_type: str, object_id: str, **change: dict[str, Any]) -> None:
    audit.record(
        call.db,
        actor=call.actor,
        actor_kind=call.actor_kind,
        action=action,
        object_type=object_type,
        object_id=object_id,
        **change,
    )  # type: ignore[arg-type]


def _role_out(role: authz.RoleInfo) -> RoleOut:
    return RoleOut.model_validate(
        {
            "name": role.name,
            "builtin": role.builtin,
            "permissions": [{"obj": o, "act": a} for o, a in role.permissions],
        }
    )


def list_roles(call: CommuneCall) -> list[RoleOut]:
    return [_role_out(r) for r in authz.list_roles(app_engine(), call.principal, call.tenant.commune_code)]


def create_role(call: CommuneCall, data: RoleIn) -> RoleOut:
    perms = [(p.obj, p.act) for p in data.permissions]
    role = authz.create_role(app_engine(), call.principal, call.tenant.commune_code, data.name, perms)
    out = _role_out(role)
    _audit(call, "create", "role", role.name, after=out.model_dump())
    return out


def delete_role(call: CommuneCall, name: str) -> None:
    authz.delete_role(app_engine(), call.principal, call.tenant.commune_code, name)
    _audit(call, "delete", "role", name, before={"name": name})


def list_assignments(call: CommuneCall) -> list[AssignmentOut]:
    rows = authz.list_assignments(app_engine(), call.principal, call.tenant.commune_code)
    return [AssignmentOut(user_id=a.subject.removeprefix(USER_PREFIX), role=a.role) for a in rows]


def assign(call: CommuneCall, user_id: uuid.UUID, role: str) -> AssignmentOut:
    _require_member(call.tenant.commune_code, user_id)
    authz.assign_role(app_engine(), call.principal, call.tenant.commune_code, f"{USER_PREFIX}{user_id}", role)
    _audit(call, "assign", "role_assignment", f"{user_id}:{role}", after={"user_id": str(user_id), "role": role})
    return AssignmentOut(user_id=str(user_id), role=role)


def revoke(call: CommuneCall, user_id: uuid.UUID, role: str) -> None:
    authz.revoke_role(app_engine(), call.principal, call.tenant.commune_code, f"{USER_PREFIX}{user_id}", role)
    _audit(call, "revoke", "role_assignment", f"{user_id}:{role}", before={"user_id": str(user_id), "role": role})


def _require_member(commune_code: int, user_id: uuid.UUID) -> None:
    """A user of another commune is not found here (404), like any other commune's object."""
    with Session(app_engine()) as session:
        account = session.get(IdentityAccount, user_id)
        if account is None or account.commune_code != commune_code:
            raise NotFound("Không tìm thấy người dùng.", "User not found.", code="user_not_found")


def list_users(call: CommuneCall, limit: int, offset: int) -> list[IdentityAccount]:
    with Session(app_engine(), expire_on_commit=False) as session:
        return list(
            session.scalars(
                select(IdentityAccount)
                .where(IdentityAccount.commune_code == call.tenant.commune_code)
                .order_by(IdentityAccount.created_at)
                .limit(limit)
                .offset(offset)
            )
        )


def create_user(call: CommuneCall, data: UserIn) -> IdentityAccount:
    """An official's account plus their role, both or neither: the role is checked before the account exists."""
    code = call.tenant.commune_code
    authz_roles = {r.name for r in authz.list_roles(app_engine(), call.principal, code)}
    if data.role not in authz_roles:
        raise InvalidInput(f"Không có vai trò '{data.role}'.", f"No role '{data.role}'.", code="role_not_found")
    user_id = create_account(
        app_engine(),
        realm=COMMUNE_REALM,
        username=data.username,
        password=data.password,
        commune_code=code,
        display_name=data.display_name,
        email=data.email,
    )
    try:
        if data.role != "resident":
            authz.assign_role(app_engine(), call.principal, code, f"{USER_PREFIX}{user_id}", data.role)
    except Exception:
        with Session(app_engine()) as session, session.begin():
            account = session.get(IdentityAccount, user_id)
            if account is not None:
                session.delete(account)
        raise
    _audit(
        call,
        "create",
        "user",
        str(user_id),
        after={"username": data.username, "role": data.role, "display_name": data.display_name},
    )
    with Session(app_engine(), expire_on_commit=False) as session:
        account = session.get(IdentityAccount, user_id)
        assert account is not None
        return account
