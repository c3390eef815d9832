"""Households and residents: the commune's register, and residents registering themselves."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from smartcommune.platform.identity.phones import normalize_phone
from smartcommune.platform.inbox.service import Message, notify
from smartcommune.platform.residents import olc, repository
from smartcommune.platform.residents.models import Household, Resident
from smartcommune.platform.residents.schemas import (
    HouseholdIn,
    HouseholdOut,
    HouseholdPatch,
    RegistrationIn,
    ResidentIn,
    ResidentOut,
    ResidentPatch,
)
from smartcommune.platform.villages.models import Village
from smartcommune.tenants import audit
from smartcommune.tenants.errors import Conflict, InvalidInput, NotFound


def _household_snapshot(h: Household) -> dict[str, Any]:
    return HouseholdOut.model_validate(h).model_dump(mode="json")


def _resident_snapshot(r: Resident) -> dict[str, Any]:
    return ResidentOut.model_validate(r).model_dump(mode="json")


def _check_village(db: Session, village_id: int) -> Village:
    village = db.get(Village, village_id)
    if village is None:
        raise InvalidInput(
            "Thôn/bản không tồn tại.", "Unknown village.", code="unknown_village", field="village_id", value=village_id
        )
    return village


def _plus_code(latitude: float | None, longitude: float | None) -> str | None:
    if latitude is None and longitude is None:
        return None
    if latitude is None or longitude is None:
        raise InvalidInput(
            "Cần cả vĩ độ và kinh độ.",
            "Both latitude and longitude are needed.",
            code="incomplete_position",
            field="latitude" if latitude is None else "longitude",
        )
    return olc.encode(latitude, longitude, 11)


# -- households ---------------------------------------------------------------------------------------
def get_household(db: Session, household_id: int) -> Household:
    household = db.get(Household, household_id)
    if household is None:
        raise NotFound("Không tìm thấy hộ gia đình.", "Household not found.", code="household_not_found")
    return household


def _house_number_taken(number: str) -> Conflict:
    return Conflict(
        f"Số nhà '{number}' đã được cấp.",
        f"House number '{number}' is already assigned.",
        code="house_number_taken",
        field="house_number",
    )


def create_household(
    db: Session, data: HouseholdIn, *, actor: str, actor_kind: str, record_audit: bool = True
) -> Household:
    _check_village(db, data.village_id)
    if repository.household_by_number(db, data.house_number) is not None:
        raise _house_number_taken(data.house_number)
    household = Household(**data.model_dump(), plus_code=_plus_code(data.latitude, data.longitude))
    db.add(household)
    try:
        with db.begin_nested():
            db.flush()
    except IntegrityError as e:  # a concurrent request took the number
        raise _house_number_taken(data.house_number) from e
    if not record_audit:  # a CSV import records one entry for the whole file
        return household
    audit.record(
        db,
        actor=actor,
        actor_kind=actor_kind,
        action="create",
        object_type="household",
        object_id=str(household.id),
        after=_household_snapshot(household),
    )
    return household


def update_household(
    db: Session, household_id: int, patch: HouseholdPatch, *, actor: str, actor_kind: str
) -> Household:
    household = get_household(db, household_id)
    before = _household_snapshot(household)
    changes = patch.model_dump(exclude_unset=True)
    if changes.get("village_id") is not None:
        _check_village(db, changes["village_id"])
    elif "village_id" in changes:
        del changes["village_id"]
    for key, value in changes.items():
        setattr(household, key, value)
    household.plus_code = _plus_code(household.latitude, household.longitude)
    household.updated_at = datetime.now(UTC)
    db.flush()
    audit.record(
        db,
        actor=actor,
        actor_kind=actor_kind,
        action="update",
        object_type="household",
        object_id=str(household.id),
        before=before,
        after=_household_snapshot(household),
    )
    return household


# -- residents ----------------------------------------------------------------------------------------
def get_resident(db: Session, resident_id: int) -> Resident:
    resident = db.get(Resident, resident_id)
    if resident is None:
        raise NotFound("Không tìm thấy cư dân.", "Resident not found.", code="resident_not_found")
    return resident


def _phone_taken() -> Conflict:
    return Conflict(
        "Số điện thoại đã thuộc về một cư dân khác.",
        "This phone number already belongs to another resident.",
        code="resident_phone_taken",
        field="phone",
    )


def _place(db: Session, household_id: int | None, village_id: int | None) -> tuple[int | None, int | None]:
    """The household decides the village; a different village given alongside it is a mistake."""
    if household_id is not None:
        household = db.get(Household, household_id)
        if household is None:
            raise InvalidInput(
                "Hộ gia đình không tồn tại.", "Unknown household.", code="unknown_household", field="household_id"
            )
        if household.archived_at is not None:
            raise InvalidInput(
                "Hộ gia đình đã được lưu trữ.",
                "The household is archived.",
                code="household_archived",
                field="household_id",
            )
        if village_id is not None and village_id != household.village_id:
            raise InvalidInput(
                "Hộ gia đình không thuộc thôn/bản đã chọn.",
                "The household is not in the chosen village.",
                code="household_village_mismatch",
                field="village_id",
            )
        return household_id, household.village_id
    if village_id is not None:
        _check_village(db, village_id)
    return None, village_id


def _flush_resident(db: Session, resident: Resident) -> None:
    try:
        with db.begin_nested():
            db.flush()
    except IntegrityError as e:
        raise _phone_taken() from e


def create_resident(
    db: Session,
    data: ResidentIn,
    *,
    actor: str,
    actor_kind: str,
    source: str = "official",
    record_audit: bool = True,
) -> Resident:
    phone = normalize_phone(data.phone) if data.phone else None
    household_id, village_id = _place(db, data.household_id, data.village_id)
    if phone and repository.by_phone(db, phone) is not None:
        raise _phone_taken()
    resident = Resident(
        full_name=data.full_name,
        phone=phone,
        household_id=household_id,
        village_id=village_id,
        date_of_birth=data.date_of_birth,
        groups=sorted(set(data.groups)),
        status="verified",  # entered by an official: verified by them
        source=source,
        reviewed_by=actor,
        reviewed_at=datetime.now(UTC),
    )
    db.add(resident)
    _flush_resident(db, resident)
    if not record_audit:
        return resident
    audit.record(
        db,
        actor=actor,
        actor_kind=actor_kind,
        action="create",
        object_type="resident",
        object_id=str(resident.id),
        after=_resident_snapshot(resident),
    )
    return resident


def update_resident(db: Session, resident_id: int, patch: ResidentPatch, *, actor: str, actor_kind: str) -> Resident:
    resident = get_resident(db, resident_id)
    before = _resident_snapshot(resident)
    changes = patch.model_dump(exclude_unset=True)
    if "phone" in changes:
        resident.phone = normalize_phone(changes.pop("phone")) if changes.get("phone") else None
    if "household_id" in changes or "village_id" in changes:
        household_id, village_id = _place(
            db, changes.pop("household_id", resident.household_id), changes.pop("village_id", None)
        )
        resident.household_id, resident.village_id = household_id, village_id
    if changes.get("groups") is not None:
        resident.groups = sorted(set(changes.pop("groups")))
    for key, value in changes.items():
        if value is not None or key == "date_of_birth":
            setattr(resident, key, value)
    resident.updated_at = datetime.now(UTC)
    _flush_resident(db, resident)
    audit.record(
        db,
        actor=actor,
        actor_kind=actor_kind,
        action="update",
        object_type="resident",
        object_id=str(resident.id),
        before=before,
        after=_resident_snapshot(resident),
    )
    return resident


# -- self-registration --------------------------------------------------------------------------------
def register(db: Session, data: RegistrationIn, *, subject: str, phone: str | None, actor: str) -> Resident:
    """A logged-in person claims a place in the register; it is `pending` until an official verifies it.

    The phone comes from the token (proven by the one-time code), never from the request body. A record an
    official already made for that phone is linked to the account instead of duplicated; a rejected
    registration, or one still pending, may be submitted again (it replaces the earlier submission).
    """
    household_id, village_id = _place(db, data.household_id, data.village_id)
    resident = repository.by_subject(db, subject)
    normalized = normalize_phone(phone) if phone else None
    if resident is None and normalized:
        existing = repository.by_phone(db, normalized)
        if existing is not None and existing.account_subject is None:
            resident = existing
    if resident is not None and resident.account_subject == subject and resident.status == "verified":
        raise Conflict(
            "Bạn đã đăng ký cư dân.",
            "You are already registered.",
            code="already_registered",
            status=resident.status,
        )
    before = _resident_snapshot(resident) if resident is not None else None
    if resident is None:
        resident = Resident(phone=normalized, source="self", account_subject=subject, groups=[])
        db.add(resident)
    if resident.account_subject is None:  # an official's record of this phone: link it, keep it verified
        resident.account_subject = subject
    else:
        resident.full_name = data.full_name
        resident.household_id, resident.village_id = household_id, village_id
        resident.date_of_birth = data.date_of_birth
        resident.groups = sorted(set(data.groups))
        resident.status = "pending"
        resident.review_note = None
    if not resident.full_name:
        resident.full_name = data.full_name
    resident.updated_at = datetime.now(UTC)
    _flush_resident(db, resident)
    audit.record(
        db,
        actor=actor,
        actor_kind="commune",
        action="register",
        object_type="resident",
        object_id=str(resident.id),
        before=before,
        after=_resident_snapshot(resident),
    )
    return resident


def review(db: Session, resident_id: int, *, verify: bool, note: str | None, actor: str, actor_kind: str) -> Resident:
    resident = get_resident(db, resident_id)
    allowed_from = ("pending", "rejected") if verify else ("pending",)
    if resident.status not in allowed_from:
        raise Conflict(
            "Hồ sơ cư dân không ở trạng thái chờ duyệt.",
            "The registration is not awaiting review.",
            code="not_pending",
            status=resident.status,
        )
    before = _resident_snapshot(resident)
    resident.status = "verified" if verify else "rejected"
    resident.review_note = note
    resident.reviewed_by = actor
    resident.reviewed_at = datetime.now(UTC)
    resident.updated_at = resident.reviewed_at
    db.flush()
    audit.record(
        db,
        actor=actor,
        actor_kind=actor_kind,
        action="verify" if verify else "reject",
        object_type="resident",
        object_id=str(resident.id),
        before=before,
        after=_resident_snapshot(resident),
    )
    if resident.account_subject:
        title = "Đăng ký cư dân đã được xác nhận" if verify else "Đăng ký cư dân bị từ chối"
        notify(
            db,
            [resident.account_subject],
            Message(
                kind="registration",
                title=title,
                body=note or "",
                source_type="resident",
                source_id=str(resident.id),
                data={"status": resident.status, "title_en": "Resident registration " + resident.status},
            ),
        )
    return resident


# -- archiving (never a hard delete: deliveries, reports, fees and history keep pointing at the row) ----
def _already(archived: bool, what_vi: str, what_en: str) -> Conflict:
    if archived:
        return Conflict(f"{what_vi} đã được lưu trữ.", f"The {what_en} is already archived.", code="already_archived")
    return Conflict(f"{what_vi} chưa bị lưu trữ.", f"The {what_en} is not archived.", code="not_archived")


def _set_archived(
    db: Session,
    row: Household | Resident,
    *,
    archived: bool,
    actor: str,
    actor_kind: str,
    object_type: str,
    snapshot: Callable[[Any], dict[str, Any]],
) -> None:
    """Archive or restore one household or resident, audited with before/after."""
    before = snapshot(row)
    now = datetime.now(UTC)
    row.archived_at, row.archived_by = (now, actor) if archived else (None, None)
    row.updated_at = now
    db.flush()
    audit.record(
        db,
        actor=actor,
        actor_kind=actor_kind,
        action="archive" if archived else "restore",
        object_type=object_type,
        object_id=str(row.id),
        before=before,
        after=snapshot(row),
    )


def archive_household(db: Session, household_id: int, *, actor: str, actor_kind: str) -> Household:
    """Archive a household that no current resident lives in (move or archive them first)."""
    household = get_household(db, household_id)
    if household.archived_at is not None:
        raise _already(True, "Hộ gia đình", "household")
    living = int(
        db.scalar(
            select(func.count())
            .select_from(Resident)
            .where(Resident.household_id == household.id, Resident.archived_at.is_(None))
        )
        or 0
    )
    if living:
        raise Conflict(
            "Hộ gia đình còn cư dân: hãy chuyển hoặc lưu trữ họ trước.",
            "The household still has residents: move or archive them first.",
            code="household_not_empty",
            residents=living,
        )
    _set_archived(
        db,
        household,
        archived=True,
        actor=actor,
        actor_kind=actor_kind,
        object_type="household",
        snapshot=_household_snapshot,
    )
    return household


def restore_household(db: Session, household_id: int, *, actor: str, actor_kind: str) -> Household:
    household = get_household(db, household_id)
    if household.archived_at is None:
        raise _already(False, "Hộ gia đình", "household")
    _set_archived(
        db,
        household,
        archived=False,
        actor=actor,
        actor_kind=actor_kind,
        object_type="household",
        snapshot=_household_snapshot,
    )
    return household


def archive_resident(db: Session, resident_id: int, *, actor: str, actor_kind: str) -> Resident:
    """Archived residents leave every list and every announcement's targeting; nothing of theirs is lost."""
    resident = get_resident(db, resident_id)
    if resident.archived_at is not None:
        raise _already(True, "Cư dân", "resident")
    _set_archived(
        db,
        resident,
        archived=True,
        actor=actor,
        actor_kind=actor_kind,
        object_type="resident",
        snapshot=_resident_snapshot,
    )
    return resident


def restore_resident(db: Session, resident_id: int, *, actor: str, actor_kind: str) -> Resident:
    resident = get_resident(db, resident_id)
    if resident.archived_at is None:
        raise _already(False, "Cư dân", "resident")
    if resident.household_id is not None:
        household = db.get(Household, resident.household_id)
        if household is not None and household.archived_at is not None:
            raise Conflict(
                "Hộ gia đình của cư dân đã được lưu trữ: hãy khôi phục hộ trước.",
                "The resident's household is archived: restore it first.",
                code="household_archived",
            )
    _set_archived(
        db,
        resident,
        archived=False,
        actor=actor,
        actor_kind=actor_kind,
        object_type="resident",
        snapshot=_resident_snapshot,
    )
    return resident


def in_scope(village_id: int | None, villages: frozenset[int] | None) -> bool:
    return villages is None or (village_id is not None and village_id in villages)
