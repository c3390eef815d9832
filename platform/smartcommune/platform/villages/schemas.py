from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import FromClause

from smartcommune.platform.common.patch import PatchModel
from smartcommune.platform.villages.models import Village
from smartcommune.tenants.bounds import INT_MAX

VillageKind = Literal["thon", "ban", "ap", "to_dan_pho", "khu_pho", "xom"]


class VillageIn(BaseModel):
    code: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_.-]+$")
    name: str = Field(min_length=1, max_length=200)
    kind: VillageKind = "thon"
    population: int | None = Field(default=None, ge=0, le=INT_MAX)


class VillagePatch(PatchModel):
    table: ClassVar[FromClause] = Village.__table__  # null only where the column is nullable
    name: str | None = Field(default=None, min_length=1, max_length=200)
    kind: VillageKind | None = None
    population: int | None = Field(default=None, ge=0, le=INT_MAX)


class VillageOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    name: str
    kind: str
    population: int | None
    created_at: datetime
