from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class PermissionIO(BaseModel):
    obj: str = Field(min_length=1, max_length=60)
    act: str = Field(min_length=1, max_length=20)


class RoleIn(BaseModel):
    name: str = Field(min_length=2, max_length=63)
    permissions: list[PermissionIO] = Field(min_length=1, max_length=100)


class RoleOut(BaseModel):
    name: str
    builtin: bool
    permissions: list[PermissionIO]


class AssignmentIn(BaseModel):
    user_id: uuid.UUID
    role: str = Field(min_length=2, max_length=63)


class AssignmentOut(BaseModel):
    user_id: str
    role: str


class UserIn(BaseModel):
    username: str = Field(min_length=3, max_length=120)
    password: str = Field(min_length=8, max_length=200)
    display_name: str = Field(default="", max_length=200)
    email: str | None = Field(default=None, max_length=254)
    role: str = Field(default="commune_official", min_length=2, max_length=63)


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    username: str | None
    phone: str | None
    display_name: str
    enabled: bool
    created_at: datetime
    failed_logins: int = Field(default=0, description="failed password logins in the last hour")
    locked_until: datetime | None = Field(default=None, description="password logins refused until then")
