"""Per-request context: the resolved commune and the request id (logs and audit read them)."""

from __future__ import annotations

import uuid
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class TenantInfo:
    """What a request needs to know about its commune; cached, never a catalog query per request."""

    id: uuid.UUID
    slug: str
    commune_code: int
    province_code: int
    name: str
    status: str
    schema_name: str
    role_name: str

    @property
    def domain(self) -> str:
        """The casbin domain and the token's organization alias: the official commune code."""
        return str(self.commune_code)


current_tenant: ContextVar[TenantInfo | None] = ContextVar("current_tenant", default=None)
current_request_id: ContextVar[str | None] = ContextVar("current_request_id", default=None)
