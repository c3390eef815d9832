from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from smartcommune.platform.villages.models import Village


def list_villages(db: Session) -> list[Village]:
    return list(db.scalars(select(Village).order_by(Village.code)))


def get_village(db: Session, village_id: int) -> Village | None:
    return db.get(Village, village_id)


def find_by_code(db: Session, code: str) -> Village | None:
    return db.scalar(select(Village).where(Village.code == code))
