"""Reading a commune's template-written configuration."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from smartcommune.platform.configuration.models import MODULES, CommuneModule


def enabled_modules(db: Session) -> list[str]:
    """The modules the commune has enabled, in the platform's order. A commune no template has configured
    yet (no module rows at all) has every module, as it had before modules existed."""
    rows = {code: enabled for code, enabled in db.execute(select(CommuneModule.code, CommuneModule.enabled))}
    if not rows:
        return list(MODULES)
    return [m for m in MODULES if rows.get(m)]


# The module behind each optional permission object: a commune that has not enabled the module does not have
# its routes (404 `module_disabled`). People, villages, settings and the like are not optional.
MODULE_OF_OBJECT = {
    "announcements": "announcements",
    "surveys": "surveys",
    "survey_builder": "surveys",
    "reports": "reports",
    "report_triage": "reports",
    "report_moderation": "reports",
    "procedures": "procedures",
    "procedure_catalogue": "procedures",
    "applications": "procedures",
    "fees": "fees",
    "invoices": "fees",
    "payments": "fees",
    "cameras": "cameras",
    "camera_events": "cameras",
    "devices": "devices",
    "production": "production",
    "listings": "listings",
}


def module_disabled(db: Session, obj: str) -> str | None:
    """The module `obj` belongs to when the commune has not enabled it, else None."""
    module = MODULE_OF_OBJECT.get(obj)
    if module is None or module in enabled_modules(db):
        return None
    return module
