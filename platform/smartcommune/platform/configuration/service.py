"""Reading a commune's template-written configuration."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from smartcommune.platform.configuration.models import MODULES, CommuneModule
from smartcommune.tenants import audit
from smartcommune.tenants.errors import InvalidInput, NotFound


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


# Modules a commune admin may switch off; villages and residents carry every other screen.
CORE_MODULES = ("villages", "residents")


def module_states(db: Session) -> list[tuple[str, bool, bool]]:
    """Every module as (code, enabled, optional), in the platform's order."""
    enabled = set(enabled_modules(db))
    return [(m, m in enabled, m not in CORE_MODULES) for m in MODULES]


def set_module(db: Session, code: str, enabled: bool, *, actor: str, actor_kind: str) -> list[tuple[str, bool, bool]]:
    """Enable or disable one optional module (audited). A commune without module rows (every module on)
    gets one row per module first, so switching one off leaves the others as they were."""
    if code not in MODULES:
        raise NotFound("Không có chức năng này.", "No such module.", code="module_not_found")
    if code in CORE_MODULES:
        raise InvalidInput(
            "Chức năng này luôn bật: các màn hình khác cần đến nó.",
            "This module is always on: the other screens depend on it.",
            code="module_required",
        )
    before = enabled_modules(db)
    rows = {r.code: r for r in db.scalars(select(CommuneModule))}
    if not rows:
        for m in MODULES:
            rows[m] = CommuneModule(code=m, enabled=True)
            db.add(rows[m])
    row = rows.get(code)
    if row is None:
        row = CommuneModule(code=code, enabled=enabled)
        db.add(row)
    row.enabled = enabled
    row.updated_at = datetime.now(UTC)
    db.flush()
    audit.record(
        db,
        actor=actor,
        actor_kind=actor_kind,
        action="module.enable" if enabled else "module.disable",
        object_type="commune_module",
        object_id=code,
        before={"enabled": code in before},
        after={"enabled": enabled},
    )
    return module_states(db)
