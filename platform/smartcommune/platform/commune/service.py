"""Read and change the commune's settings and branding; every change is audited."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Literal, cast

from sqlalchemy import CursorResult
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from smartcommune.platform.commune.models import SETTINGS_ROW, CommuneSettings
from smartcommune.platform.commune.schemas import CommuneBranding, CommuneSettingsIn, CommuneSettingsOut
from smartcommune.platform.files.models import StoredFile
from smartcommune.platform.files.service import IMAGE_TYPES, FileBody, UploadRules, read_file, store_upload
from smartcommune.tenants import audit
from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.errors import InvalidInput, NotFound

LOGO = UploadRules(IMAGE_TYPES, 2 * 1024 * 1024)
LOGO_PURPOSE = "commune_logo"
LOGO_PATH = "/api/v1/public/commune/logo"
MIN_CONTRAST = 4.5
"""WCAG AA for normal text: the apps write white text on the primary colour (title bar, buttons)."""


def _settings(db: Session) -> CommuneSettings | None:
    return db.get(CommuneSettings, SETTINGS_ROW)


def _row_for_update(db: Session) -> tuple[CommuneSettings, bool]:
    """The settings row, locked (created on first change); and whether it existed before."""
    # ON CONFLICT: two first changes at once both end up updating the one row, neither fails.
    result = db.execute(insert(CommuneSettings).values(id=SETTINGS_ROW).on_conflict_do_nothing())
    inserted = cast(CursorResult[Any], result).rowcount
    row = db.get(CommuneSettings, SETTINGS_ROW, with_for_update=True, populate_existing=True)
    assert row is not None
    return row, not inserted


def _luminance(hex_color: str) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast_with_white(hex_color: str) -> float:
    return 1.05 / (_luminance(hex_color) + 0.05)


def _blank_to_none(value: str | None) -> str | None:
    return (value.strip() or None) if value is not None else None


def branding(tenant: TenantInfo, row: CommuneSettings | None) -> CommuneBranding:
    return CommuneBranding(**_branding_fields(tenant, row))


def _branding_fields(tenant: TenantInfo, row: CommuneSettings | None) -> dict[str, Any]:
    logo = row.logo_file_id if row else None
    return {
        "name": (row.display_name if row else None) or tenant.name,
        "primary_color": row.primary_color if row else None,
        "logo_url": f"{LOGO_PATH}?v={logo.hex[:12]}" if logo else None,
        "contact_phone": row.contact_phone if row else None,
        "contact_email": row.contact_email if row else None,
        "address": row.address if row else None,
        "office_hours": row.office_hours if row else None,
    }


def to_out(tenant: TenantInfo, row: CommuneSettings | None) -> CommuneSettingsOut:
    return CommuneSettingsOut(
        **_branding_fields(tenant, row),
        display_name=row.display_name if row else None,
        official_name=tenant.name,
        has_logo=bool(row and row.logo_file_id),
        reports_public_after=reports_public_after(row),
        updated_by=row.updated_by if row else None,
        updated_at=row.updated_at if row else None,
    )


def get(db: Session, tenant: TenantInfo) -> CommuneSettingsOut:
    return to_out(tenant, _settings(db))


def reports_public_after(row: CommuneSettings | None) -> Literal["accepted", "submitted"]:
    value = row.reports_public_after if row is not None else "accepted"
    return "submitted" if value == "submitted" else "accepted"


def reports_public_at_once(db: Session) -> bool:
    """Whether a new field report is public at once (`submitted`) or only once accepted (the default)."""
    return reports_public_after(_settings(db)) == "submitted"


def public_branding(db: Session, tenant: TenantInfo) -> CommuneBranding:
    return branding(tenant, _settings(db))


def _snapshot(row: CommuneSettings) -> dict[str, Any]:
    return {
        "display_name": row.display_name,
        "primary_color": row.primary_color,
        "logo_file_id": str(row.logo_file_id) if row.logo_file_id else None,
        "contact_phone": row.contact_phone,
        "contact_email": row.contact_email,
        "address": row.address,
        "office_hours": row.office_hours,
        "reports_public_after": row.reports_public_after,
    }


def _touch(row: CommuneSettings, actor: str) -> None:
    row.updated_by = actor
    row.updated_at = datetime.now(UTC)


def save(
    db: Session, tenant: TenantInfo, data: CommuneSettingsIn, *, actor: str, actor_kind: str
) -> CommuneSettingsOut:
    color = data.primary_color.lower() if data.primary_color else None
    if color and contrast_with_white(color) < MIN_CONTRAST:
        raise InvalidInput(
            f"Màu {color} quá nhạt: chữ trắng trên nền này khó đọc (độ tương phản cần từ {MIN_CONTRAST}:1).",
            f"Colour {color} is too light for white text (contrast must be {MIN_CONTRAST}:1 or more).",
            code="color_low_contrast",
            field="primary_color",
            contrast=round(contrast_with_white(color), 2),
        )

    def apply(row: CommuneSettings) -> None:
        row.display_name = _blank_to_none(data.display_name)
        row.primary_color = color
        row.contact_phone = _blank_to_none(data.contact_phone)
        row.contact_email = _blank_to_none(data.contact_email)
        row.address = _blank_to_none(data.address)
        row.office_hours = _blank_to_none(data.office_hours)
        if data.reports_public_after is not None:
            row.reports_public_after = data.reports_public_after

    return _change(db, tenant, apply, action="update", actor=actor, actor_kind=actor_kind)


def set_logo(
    db: Session, tenant: TenantInfo, *, filename: str, data: bytes, actor: str, actor_kind: str
) -> CommuneSettingsOut:
    stored = store_upload(db, tenant, filename=filename, data=data, purpose=LOGO_PURPOSE, actor=actor, rules=LOGO)
    logo = {"name": stored.name, "content_type": stored.content_type}

    def apply(row: CommuneSettings) -> None:
        row.logo_file_id = stored.id

    return _change(db, tenant, apply, action="set_logo", actor=actor, actor_kind=actor_kind, noted={"logo": logo})


def remove_logo(db: Session, tenant: TenantInfo, *, actor: str, actor_kind: str) -> CommuneSettingsOut:
    """The stored file stays (the audit trail may point at it); the apps stop showing it."""

    def apply(row: CommuneSettings) -> None:
        row.logo_file_id = None

    return _change(db, tenant, apply, action="remove_logo", actor=actor, actor_kind=actor_kind)


def _change(
    db: Session,
    tenant: TenantInfo,
    apply: Callable[[CommuneSettings], None],
    *,
    action: str,
    actor: str,
    actor_kind: str,
    noted: dict[str, Any] | None = None,
) -> CommuneSettingsOut:
    """One audited change of the settings row (created on first change)."""
    row, existed = _row_for_update(db)
    before = _snapshot(row) if existed else None
    apply(row)
    _touch(row, actor)
    db.flush()
    audit.record(
        db,
        actor=actor,
        actor_kind=actor_kind,
        action=action,
        object_type="commune_settings",
        object_id=tenant.slug,
        before=before,
        after={**_snapshot(row), **(noted or {})},
    )
    return to_out(tenant, row)


def logo(db: Session, tenant: TenantInfo) -> tuple[StoredFile, FileBody]:
    row = _settings(db)
    if row is None or row.logo_file_id is None:
        raise NotFound("Xã chưa có biểu trưng.", "The commune has no logo.", code="logo_not_found")
    return read_file(db, tenant, row.logo_file_id)
