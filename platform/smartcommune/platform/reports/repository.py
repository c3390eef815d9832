from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Select, func, select, text
from sqlalchemy.orm import Session

from smartcommune.platform.reports.models import OPEN_STATUSES, Report, ReportCategory, ReportEvent, ReportPhoto


def list_categories(db: Session, *, active_only: bool) -> Sequence[ReportCategory]:
    query = select(ReportCategory).order_by(ReportCategory.group_name, ReportCategory.code)
    if active_only:
        query = query.where(ReportCategory.active.is_(True))
    return db.scalars(query).all()


def category_by_code(db: Session, code: str) -> ReportCategory | None:
    return db.scalar(select(ReportCategory).where(ReportCategory.code == code))


def report_for(db: Session, report_id: int, *, owner: str | None) -> Report | None:
    """A report; with `owner`, only if that account reported it (ownership is this SQL filter)."""
    query = select(Report).where(Report.id == report_id)
    if owner is not None:
        query = query.where(Report.reporter == owner)
    return db.scalar(query)


def lock_report(db: Session, report_id: int) -> Report | None:
    return db.scalar(select(Report).where(Report.id == report_id).with_for_update())


def list_reports(
    db: Session,
    *,
    owner: str | None,
    status: str | None,
    category_id: int | None,
    overdue: bool | None,
    before_id: int | None,
    limit: int,
) -> Sequence[Report]:
    query = select(Report).order_by(Report.id.desc()).limit(limit)
    if owner is not None:
        query = query.where(Report.reporter == owner)
    if status is not None:
        query = query.where(Report.status == status)
    if category_id is not None:
        query = query.where(Report.category_id == category_id)
    if overdue is True:
        query = query.where(Report.status.in_(OPEN_STATUSES), Report.sla_due_at < func.now())
    if before_id is not None:
        query = query.where(Report.id < before_id)
    return db.scalars(query).all()


def photos_of(db: Session, report_ids: Sequence[int]) -> dict[int, list[ReportPhoto]]:
    out: dict[int, list[ReportPhoto]] = {i: [] for i in report_ids}
    if report_ids:
        rows = db.scalars(
            select(ReportPhoto).where(ReportPhoto.report_id.in_(report_ids)).order_by(ReportPhoto.position)
        )
        for photo in rows:
            out[photo.report_id].append(photo)
    return out


def events_of(db: Session, report_id: int, *, include_internal: bool) -> Sequence[ReportEvent]:
    query = select(ReportEvent).where(ReportEvent.report_id == report_id).order_by(ReportEvent.id)
    if not include_internal:
        query = query.where(ReportEvent.internal.is_(False))
    return db.scalars(query).all()


def lock_reporter(db: Session, reporter: str) -> None:
    """One submission of a reporter at a time, until the transaction ends."""
    db.execute(text("SELECT pg_advisory_xact_lock(hashtext('reports'), hashtext(:r))"), {"r": reporter})


def recent_by_reporter(db: Session, reporter: str, since: datetime) -> int:
    """Counted in SQL under a per-reporter transaction lock, so concurrent submissions cannot overrun it."""
    lock_reporter(db, reporter)
    query = select(func.count()).where(Report.reporter == reporter, Report.created_at >= since)
    return int(db.scalar(query) or 0)


def by_client_ref(db: Session, reporter: str, client_ref: uuid.UUID) -> Report | None:
    return db.scalar(select(Report).where(Report.reporter == reporter, Report.client_ref == client_ref))


def public_query(*, category_code: str | None, status: str | None) -> Select[Report, ReportCategory]:
    query = (
        select(Report, ReportCategory)
        .join(ReportCategory, ReportCategory.id == Report.category_id)
        .where(Report.hidden.is_(False))
    )
    if category_code is not None:
        query = query.where(ReportCategory.code == category_code)
    if status is not None:
        query = query.where(Report.status == status)
    return query


def due_for_escalation(db: Session, limit: int) -> Sequence[Report]:
    query = (
        select(Report)
        .where(Report.status.in_(OPEN_STATUSES), Report.sla_due_at < func.now(), Report.escalated_at.is_(None))
        .order_by(Report.sla_due_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return db.scalars(query).all()
