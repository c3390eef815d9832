from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from smartcommune.platform.residents.models import Household, Resident


def list_households(
    db: Session,
    *,
    village_id: int | None,
    house_number: str | None,
    limit: int,
    offset: int,
    include_archived: bool = False,
    villages: Collection[int] | None = None,
) -> Sequence[Household]:
    """`villages`: only these (a village head's scope); None: every village."""
    query = select(Household).order_by(Household.id).limit(limit).offset(offset)
    if not include_archived:
        query = query.where(Household.archived_at.is_(None))
    if villages is not None:
        query = query.where(Household.village_id.in_(list(villages)))
    if village_id is not None:
        query = query.where(Household.village_id == village_id)
    if house_number:
        query = query.where(Household.house_number == house_number)
    return db.scalars(query).all()


def household_by_number(db: Session, house_number: str) -> Household | None:
    return db.scalar(select(Household).where(Household.house_number == house_number))


def list_residents(
    db: Session,
    *,
    village_id: int | None,
    household_id: int | None,
    group: str | None,
    status: str | None,
    q: str | None,
    limit: int,
    offset: int,
    include_archived: bool = False,
    villages: Collection[int] | None = None,
) -> Sequence[Resident]:
    query = select(Resident).order_by(Resident.id).limit(limit).offset(offset)
    if not include_archived:
        query = query.where(Resident.archived_at.is_(None))
    if villages is not None:
        query = query.where(Resident.village_id.in_(list(villages)))
    if village_id is not None:
        query = query.where(Resident.village_id == village_id)
    if household_id is not None:
        query = query.where(Resident.household_id == household_id)
    if group:
        query = query.where(Resident.groups.contains([group]))
    if status:
        query = query.where(Resident.status == status)
    if q:
        query = query.where(Resident.full_name.ilike(f"%{q}%"))
    return db.scalars(query).all()


def by_phone(db: Session, phone: str) -> Resident | None:
    return db.scalar(select(Resident).where(Resident.phone == phone))


def by_subject(db: Session, subject: str) -> Resident | None:
    return db.scalar(select(Resident).where(Resident.account_subject == subject))
