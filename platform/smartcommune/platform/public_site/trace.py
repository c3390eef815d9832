"""The trace page of a lot in the commune's frame (its name, colour, logo, menu and language switch)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session
from starlette.requests import Request

from smartcommune.platform.commune import service as commune_service
from smartcommune.platform.configuration.service import enabled_modules
from smartcommune.platform.production import trace_page
from smartcommune.platform.public_site.site import Site
from smartcommune.tenants.context import TenantInfo

_LOCAL_STYLE = "<style>ol{padding-left:1.2rem}li{margin:.35rem 0}</style>"


def page(request: Request, db: Session, tenant: TenantInfo, data: dict[str, Any]) -> str:
    site = Site.of(request, commune_service.public_branding(db, tenant), enabled_modules(db))
    site.extra_head.append(_LOCAL_STYLE)
    return site.page(f"{site.t('trace.title')} — {data['lot']['product']}", trace_page.body(data, site.lang))
