"""Importing this registers every commune table on `tenant_metadata` (domains add their models here)."""

from __future__ import annotations

from smartcommune.platform.files import models as files  # noqa: F401
from smartcommune.platform.inbox import models as inbox  # noqa: F401
from smartcommune.platform.villages import models as villages  # noqa: F401
from smartcommune.tenants import audit  # noqa: F401
from smartcommune.tenants.tenant_schema import tenant_metadata

__all__ = ["tenant_metadata"]
