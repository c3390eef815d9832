"""Importing this registers every commune table on `tenant_metadata` (domains add their models here)."""

from __future__ import annotations

from smartcommune.platform.announcements import models as announcements  # noqa: F401
from smartcommune.platform.cameras import models as cameras  # noqa: F401
from smartcommune.platform.commune import models as commune  # noqa: F401
from smartcommune.platform.configuration import models as configuration  # noqa: F401
from smartcommune.platform.devices import models as devices  # noqa: F401
from smartcommune.platform.directory import models as directory  # noqa: F401
from smartcommune.platform.fees import models as fees  # noqa: F401
from smartcommune.platform.files import models as files  # noqa: F401
from smartcommune.platform.inbox import models as inbox  # noqa: F401
from smartcommune.platform.insight import models as insight  # noqa: F401
from smartcommune.platform.listings import models as listings  # noqa: F401
from smartcommune.platform.notifications import models as notifications  # noqa: F401
from smartcommune.platform.payments import models as payments  # noqa: F401
from smartcommune.platform.procedures import models as procedures  # noqa: F401
from smartcommune.platform.production import models as production  # noqa: F401
from smartcommune.platform.reports import models as reports  # noqa: F401
from smartcommune.platform.residents import models as residents  # noqa: F401
from smartcommune.platform.surveys import models as surveys  # noqa: F401
from smartcommune.platform.villages import models as villages  # noqa: F401
from smartcommune.tenants import audit  # noqa: F401
from smartcommune.tenants.tenant_schema import tenant_metadata

__all__ = ["tenant_metadata"]
