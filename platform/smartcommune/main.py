"""Composition root: create_app(), the Celery app, the CLI."""

from __future__ import annotations

from smartcommune.platform.villages import models as _village_models  # noqa: F401
from smartcommune.tenants import audit as _audit  # noqa: F401
