from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field


class ProviderSiteNetworkRequestOut(BaseModel):
    id: int
    commune_code: int
    commune_name: str
    commune_slug: str
    cidr: str
    note: str
    status: Literal["pending", "approved", "refused", "revoked"]
    requested_by: str
    requested_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str


class SiteNetworkRequestPageOut(BaseModel):
    items: list[ProviderSiteNetworkRequestOut]
    total: int
    limit: int
    offset: int


class DecisionIn(BaseModel):
    note: str = Field(default="", max_length=300)
