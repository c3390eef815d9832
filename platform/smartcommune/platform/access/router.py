from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, Query

from smartcommune.platform.access import service
from smartcommune.platform.access.schemas import AssignmentIn, AssignmentOut, RoleIn, RoleOut, UserIn, UserOut
from smartcommune.platform.http.auth import CommuneCall, authorize
from smartcommune.platform.identity import throttle
from smartcommune.tenants.database import app_engine

router = APIRouter(prefix="/api/v1", tags=["users and roles"])


@router.get("/roles", response_model=list[RoleOut])
def list_roles(call: CommuneCall = Depends(authorize("roles", "read"))) -> list[RoleOut]:
    return service.list_roles(call)


@router.post("/roles", response_model=RoleOut, status_code=201)
def create_role(data: RoleIn, call: CommuneCall = Depends(authorize("roles", "write"))) -> RoleOut:
    return service.create_role(call, data)


@router.delete("/roles/{name}", status_code=204)
def delete_role(name: str, call: CommuneCall = Depends(authorize("roles", "write"))) -> None:
    service.delete_role(call, name)


@router.get("/role-assignments", response_model=list[AssignmentOut])
def list_assignments(
    call: CommuneCall = Depends(authorize("role_assignments", "read")),
) -> list[AssignmentOut]:
    return service.list_assignments(call)


@router.post("/role-assignments", response_model=AssignmentOut, status_code=201)
def assign(data: AssignmentIn, call: CommuneCall = Depends(authorize("role_assignments", "write"))) -> AssignmentOut:
    return service.assign(call, data.user_id, data.role)


@router.delete("/role-assignments", status_code=204)
def revoke(user_id: uuid.UUID, role: str, call: CommuneCall = Depends(authorize("role_assignments", "write"))) -> None:
    service.revoke(call, user_id, role)


@router.get("/users", response_model=list[UserOut])
def list_users(
    limit: int = Query(default=50, ge=1, le=500),
    offset: int = Query(default=0, ge=0),
    call: CommuneCall = Depends(authorize("users", "read")),
) -> list[UserOut]:
    accounts = service.list_users(call, limit, offset)
    throttled = throttle.state_of(app_engine(), accounts)  # the admin sees who is being guessed at
    out = []
    for account in accounts:
        user = UserOut.model_validate(account)
        state = throttled.get(account.username or "")
        if state is not None:
            user.failed_logins, user.locked_until = state.failed_logins, state.locked_until
        out.append(user)
    return out


@router.post("/users", response_model=UserOut, status_code=201)
def create_user(data: UserIn, call: CommuneCall = Depends(authorize("users", "write"))) -> UserOut:
    return UserOut.model_validate(service.create_user(call, data))
