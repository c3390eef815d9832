from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from smartcommune.platform.villages import repository
from smartcommune.platform.villages.models import Village
from smartcommune.platform.villages.schemas import VillageIn, VillageOut, VillagePatch
from smartcommune.tenants import audit
from smartcommune.tenants.errors import Conflict, NotFound


def _snapshot(village: Village) -> dict[str, object]:
    return VillageOut.model_validate(village).model_dump(mode="json")


def get(db: Session, village_id: int) -> Village:
    village = repository.get_village(db, village_id)
    if village is None:
        raise NotFound("Không tìm thấy thôn/bản.", "Village not found.", code="village_not_found")
    return village


def _code_taken(code: str) -> Conflict:
    return Conflict(
        f"Mã thôn '{code}' đã tồn tại.",
        f"Village code '{code}' already exists.",
        code="village_code_taken",
    )


def create(db: Session, data: VillageIn, *, actor: str, actor_kind: str) -> Village:
    if repository.find_by_code(db, data.code) is not None:
        raise _code_taken(data.code)
    village = Village(**data.model_dump())
    db.add(village)
    try:
        db.flush()
    except IntegrityError as e:  # a concurrent request took the code between the check and the insert
        raise _code_taken(data.code) from e
    audit.record(
        db,
        actor=actor,
        actor_kind=actor_kind,
        action="create",
        object_type="village",
        object_id=str(village.id),
        after=_snapshot(village),
    )
    return village


def update(db: Session, village_id: int, patch: VillagePatch, *, actor: str, actor_kind: str) -> Village:
    village = get(db, village_id)
    before = _snapshot(village)
    for key, value in patch.model_dump(exclude_unset=True).items():
        setattr(village, key, value)
    db.flush()
    audit.record(
        db,
        actor=actor,
        actor_kind=actor_kind,
        action="update",
        object_type="village",
        object_id=str(village.id),
        before=before,
        after=_snapshot(village),
    )
    return village
