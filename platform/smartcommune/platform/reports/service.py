"""Field reports: submission, triage workflow with role rules, SLA clock, moderation, public views, stats."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, case, func, null, select, text, update
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from smartcommune.platform.commune import service as commune_service
from smartcommune.platform.files.models import StoredFile
from smartcommune.platform.files.service import PHOTO, FileBody, read_file, store_upload
from smartcommune.platform.inbox.service import Message, notify
from smartcommune.platform.reports import repository
from smartcommune.platform.reports.models import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    Report,
    ReportCategory,
    ReportEvent,
    ReportPhoto,
)
from smartcommune.platform.reports.schemas import (
    CategoryIn,
    CategoryOut,
    CategoryPatch,
    EventOut,
    ModerationIn,
    PhotoOut,
    PublicReport,
    RatingIn,
    ReportDetail,
    ReportForm,
    ReportOut,
    ReportStats,
    StaffOut,
    TransitionIn,
)
from smartcommune.platform.residents.models import Resident
from smartcommune.tenants import audit
from smartcommune.tenants.authz.service import holders_of, members_of
from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.control.models import IdentityAccount
from smartcommune.tenants.database import app_engine
from smartcommune.tenants.errors import Conflict, Forbidden, InvalidInput, NotFound, RateLimited

MAX_PHOTOS = 5
REPORTS_PER_HOUR = 10
"""Per resident, counted in SQL over the last hour (officials triage, they do not flood)."""

STATUS_LABELS: dict[str, tuple[str, str]] = {
    "new": ("Mới gửi", "New"),
    "accepted": ("Đã tiếp nhận", "Accepted"),
    "in_progress": ("Đang xử lý", "In progress"),
    "resolved": ("Đã xử lý xong", "Resolved"),
    "closed": ("Đã đóng", "Closed"),
    "rejected": ("Không tiếp nhận", "Rejected"),
    "duplicate": ("Trùng với phản ánh khác", "Duplicate"),
}
TRANSITIONS: dict[str, frozenset[str]] = {
    "new": frozenset({"accepted", "rejected", "duplicate"}),
    "accepted": frozenset({"in_progress", "resolved", "rejected", "duplicate"}),
    "in_progress": frozenset({"resolved"}),
    "resolved": frozenset({"closed", "in_progress"}),
}
MODERATOR_ONLY = frozenset({"rejected", "duplicate", "closed"})
"""Role rule: turning a report away or closing it needs `report_moderation`; triage (`report_triage`,
village heads included) moves it forward."""


@dataclass(frozen=True)
class Viewer:
    """Who acts, as the service needs it: account subject, audit name, and what the policy lets them do."""

    subject: str
    actor: str
    actor_kind: str
    triager: bool = False
    moderator: bool = False


# -- categories ---------------------------------------------------------------------------------------
def _category_snapshot(c: ReportCategory) -> dict[str, Any]:
    return CategoryOut.model_validate(c).model_dump(mode="json")


def create_category(db: Session, data: CategoryIn, who: Viewer) -> ReportCategory:
    taken = Conflict(
        f"Mã lĩnh vực '{data.code}' đã tồn tại.", f"Category code '{data.code}' exists.", code="category_code_taken"
    )
    if repository.category_by_code(db, data.code) is not None:
        raise taken
    category = ReportCategory(**data.model_dump(), active=True)
    db.add(category)
    try:
        db.flush()
    except IntegrityError as e:
        raise taken from e
    _audit(db, who, "create", "report_category", category.id, after=_category_snapshot(category))
    return category


def _category(db: Session, category_id: int) -> ReportCategory:
    category = db.get(ReportCategory, category_id)
    if category is None:
        raise NotFound("Không tìm thấy lĩnh vực phản ánh.", "Report category not found.", code="category_not_found")
    return category


def update_category(db: Session, category_id: int, patch: CategoryPatch, who: Viewer) -> ReportCategory:
    category = _category(db, category_id)
    before = _category_snapshot(category)
    for key, value in patch.model_dump(exclude_unset=True).items():
        if value is not None:
            setattr(category, key, value)
    db.flush()
    _audit(db, who, "update", "report_category", category.id, before=before, after=_category_snapshot(category))
    return category


# -- submission ---------------------------------------------------------------------------------------
def submit_once(
    db: Session, tenant: TenantInfo, data: ReportForm, photos: Sequence[tuple[str, bytes]], who: Viewer
) -> tuple[Report, bool]:
    """`submit` for the app: a resend with the same `client_ref` returns the report it made (False: not new)."""
    if data.client_ref is not None:
        repository.lock_reporter(db, who.subject)
        earlier = repository.by_client_ref(db, who.subject, data.client_ref)
        if earlier is not None:
            return earlier, False
    return submit(db, tenant, data, photos, who), True


def submit(
    db: Session,
    tenant: TenantInfo,
    data: ReportForm,
    photos: Sequence[tuple[str, bytes]],
    who: Viewer | None,
    *,
    source: str = "app",
    reporter_contact: str | None = None,
    api_key_id: int | None = None,
) -> Report:
    """A new report. `who` is None for an Open311 client (no account: nobody's inbox to notify)."""
    if len(photos) > MAX_PHOTOS:
        raise InvalidInput(
            f"Tối đa {MAX_PHOTOS} ảnh cho một phản ánh.",
            f"At most {MAX_PHOTOS} photos per report.",
            code="too_many_photos",
            max_photos=MAX_PHOTOS,
        )
    if (data.lat is None) != (data.lng is None) or (data.lat is None and not data.address_code and not data.address):
        raise InvalidInput(
            "Cần vị trí: toạ độ (vĩ độ và kinh độ) hoặc mã địa chỉ.",
            "A location is required: a point (lat and lng) or an address code.",
            code="location_required",
        )
    category = db.get(ReportCategory, data.category_id)
    if category is None or not category.active:
        raise InvalidInput("Lĩnh vực phản ánh không hợp lệ.", "Unknown report category.", code="unknown_category")
    if who is not None:
        since = datetime.now(UTC) - timedelta(hours=1)
        if repository.recent_by_reporter(db, who.subject, since) >= REPORTS_PER_HOUR:
            raise RateLimited(
                f"Bạn đã gửi {REPORTS_PER_HOUR} phản ánh trong một giờ qua, vui lòng thử lại sau.",
                f"You sent {REPORTS_PER_HOUR} reports in the last hour; please retry later.",
                code="rate_limited",
                limit_per_hour=REPORTS_PER_HOUR,
            )
    actor = who.actor if who is not None else f"open311:{api_key_id}"
    stored = [
        store_upload(db, tenant, filename=name, data=blob, purpose="report_photo", actor=actor, rules=PHOTO)
        for name, blob in photos
    ]
    report = Report(
        token=uuid.uuid4(),
        category_id=category.id,
        description=data.description,
        status="new",
        source=source,
        reporter=who.subject if who is not None else None,
        reporter_name=data.reporter_name or None,
        reporter_contact=reporter_contact,
        anonymous=data.anonymous,
        lat=data.lat,
        lng=data.lng,
        address_code=data.address_code,
        address=data.address,
        hidden=False,
        client_ref=data.client_ref if who is not None else None,
        sla_due_at=func.now() + timedelta(hours=category.sla_hours),
        api_key_id=api_key_id,
    )
    db.add(report)
    db.flush()
    for position, row in enumerate(stored):
        db.add(ReportPhoto(report_id=report.id, file_id=row.id, position=position, hidden=False))
    db.add(ReportEvent(report_id=report.id, kind="status", to_status="new", body="", internal=False, actor=actor))
    db.flush()
    db.refresh(report)
    responsible = holders_of(app_engine(), tenant.commune_code, [category.responsible_role])
    if responsible:
        notify(
            db,
            responsible,
            Message(
                kind="report_new",
                code="report_new",
                params={"id": report.id, "category": category.name, "description": report.description[:300]},
                link=f"/reports/{report.id}",
                source_type="report",
                source_id=str(report.id),
            ),
        )
    _audit(
        db,
        who or Viewer(subject="", actor=actor, actor_kind="open311"),
        "create",
        "report",
        report.id,
        after={"category": category.code, "source": source, "photos": len(stored), "anonymous": data.anonymous},
    )
    return report


# -- reading ------------------------------------------------------------------------------------------
def _not_found() -> NotFound:
    return NotFound("Không tìm thấy phản ánh.", "Report not found.", code="report_not_found")


def get_for(db: Session, report_id: int, who: Viewer) -> Report:
    """Officials who triage see every report; anyone else only their own (404 otherwise)."""
    report = repository.report_for(db, report_id, owner=None if who.triager else who.subject)
    if report is None:
        raise _not_found()
    return report


def is_overdue(report: Report, now: datetime | None = None) -> bool:
    now = now or datetime.now(UTC)
    if report.status in OPEN_STATUSES:
        return report.sla_due_at < now
    return report.resolved_at is not None and report.resolved_at > report.sla_due_at


def to_out(report: Report, photos: Sequence[ReportPhoto]) -> ReportOut:
    return ReportOut(
        id=report.id,
        token=str(report.token),
        category_id=report.category_id,
        status=report.status,
        description=report.description,
        redacted_description=report.redacted_description,
        source=report.source,
        anonymous=report.anonymous,
        reporter_name=report.reporter_name,
        lat=report.lat,
        lng=report.lng,
        address_code=report.address_code,
        address=report.address,
        assignee=report.assignee,
        duplicate_of=report.duplicate_of,
        hidden=report.hidden,
        sla_due_at=report.sla_due_at,
        overdue=is_overdue(report),
        escalated_at=report.escalated_at,
        resolved_at=report.resolved_at,
        closed_at=report.closed_at,
        rating=report.rating,
        rating_comment=report.rating_comment,
        created_at=report.created_at,
        updated_at=report.updated_at,
        photos=[PhotoOut(id=p.id, position=p.position, hidden=p.hidden) for p in photos],
    )


def detail(db: Session, report: Report, who: Viewer) -> ReportDetail:
    photos = repository.photos_of(db, [report.id])[report.id]
    events = repository.events_of(db, report.id, include_internal=who.triager)
    out = ReportDetail(
        **with_names(to_out(report, photos)).model_dump(), events=[EventOut.model_validate(e) for e in events]
    )
    if who.triager and not report.anonymous and report.reporter:
        person = db.scalar(
            select(Resident).where(Resident.account_subject == report.reporter).order_by(Resident.id.desc()).limit(1)
        )
        account = _accounts([report.reporter]).get(report.reporter)
        out.reporter_display = (
            (person.full_name if person else None)
            or report.reporter_name
            or (account.display_name or account.username if account else None)
        )
        out.reporter_phone = (person.phone if person else None) or (account.phone if account else None)
    elif who.triager and not report.anonymous:
        out.reporter_display = report.reporter_name
    return out


def list_for(
    db: Session,
    who: Viewer,
    *,
    status: str | None,
    category_id: int | None,
    overdue: bool | None,
    before_id: int | None,
    limit: int,
) -> list[ReportOut]:
    reports = repository.list_reports(
        db,
        owner=None if who.triager else who.subject,
        status=status,
        category_id=category_id,
        overdue=overdue,
        before_id=before_id,
        limit=limit,
    )
    photos = repository.photos_of(db, [r.id for r in reports])
    return [to_out(r, photos[r.id]) for r in reports]


def photo_for(
    db: Session, tenant: TenantInfo, report: Report, photo_id: int, *, public: bool
) -> tuple[StoredFile, FileBody]:
    photo = db.get(ReportPhoto, photo_id)
    if photo is None or photo.report_id != report.id or (public and photo.hidden):
        raise NotFound("Không tìm thấy ảnh.", "Photo not found.", code="photo_not_found")
    return read_file(db, tenant, photo.file_id)


# -- workflow -----------------------------------------------------------------------------------------
def _locked(db: Session, report_id: int) -> Report:
    report = repository.lock_report(db, report_id)
    if report is None:
        raise _not_found()
    return report


def _notify_reporter(db: Session, report: Report, body: str, kind: str) -> None:
    if report.reporter:
        notify(
            db,
            [report.reporter],
            Message(
                kind=kind,
                code=kind,
                params={"id": report.id, "status": report.status, "note": body},
                link=f"/reports/{report.id}",
                source_type="report",
                source_id=str(report.id),
                data={"status": report.status},
            ),
        )


def transition(db: Session, report_id: int, data: TransitionIn, who: Viewer) -> Report:
    report = _locked(db, report_id)
    before = report.status
    allowed = TRANSITIONS.get(before, frozenset())
    if data.to not in allowed:
        raise Conflict(
            f"Không thể chuyển phản ánh từ '{STATUS_LABELS[before][0]}' sang '{STATUS_LABELS[data.to][0]}'.",
            f"A report cannot go from '{before}' to '{data.to}'.",
            code="invalid_transition",
            status=before,
            allowed=sorted(allowed),
        )
    if data.to in MODERATOR_ONLY and not who.moderator:
        raise Forbidden(
            "Chỉ cán bộ xã mới được từ chối, đánh dấu trùng hoặc đóng phản ánh.",
            "Only commune officials may reject, mark duplicate or close a report.",
            code="forbidden",
        )
    if data.to == "rejected" and not data.note:
        raise InvalidInput("Cần nêu lý do từ chối.", "A reason is required to reject.", code="note_required")
    if data.to == "duplicate":
        original = db.get(Report, data.duplicate_of) if data.duplicate_of is not None else None
        if original is None or original.id == report.id:
            raise InvalidInput(
                "Cần chỉ ra phản ánh gốc (khác phản ánh này).",
                "A duplicate needs the original report (another one).",
                code="duplicate_of_required",
            )
        report.duplicate_of = original.duplicate_of or original.id
    now = datetime.now(UTC)
    report.status = data.to
    report.status_note = data.note or None
    report.updated_at = now
    if data.to == "resolved":
        report.resolved_at = now
    elif data.to == "in_progress":
        report.resolved_at = None
    if data.to in ("closed", "rejected", "duplicate"):
        report.closed_at = now
    db.add(
        ReportEvent(
            report_id=report.id,
            kind="status",
            from_status=before,
            to_status=data.to,
            body=data.note,
            internal=False,
            actor=who.actor,
        )
    )
    db.flush()
    _notify_reporter(db, report, data.note, "report_status")
    _audit(
        db,
        who,
        "transition",
        "report",
        report.id,
        before={"status": before},
        after={"status": data.to, "note": data.note, "duplicate_of": report.duplicate_of},
    )
    return report


def comment(db: Session, report: Report, body: str, who: Viewer, *, internal: bool) -> ReportEvent:
    """A comment the reporter sees (from the reporter or an official), or an official's internal note."""
    event = ReportEvent(
        report_id=report.id, kind="note" if internal else "comment", body=body, internal=internal, actor=who.actor
    )
    db.add(event)
    db.execute(update(Report).where(Report.id == report.id).values(updated_at=func.now()))
    db.flush()
    if not internal and who.subject != report.reporter:
        _notify_reporter(db, report, body, "report_comment")
    _audit(db, who, "note" if internal else "comment", "report", report.id, after={"event": event.id})
    return event


# -- staff (assignees) --------------------------------------------------------------------------------
def _accounts(subjects: Sequence[str]) -> dict[str, IdentityAccount]:
    ids = []
    for s in subjects:
        try:
            ids.append(uuid.UUID(s))
        except ValueError:
            continue
    if not ids:
        return {}
    with Session(app_engine(), expire_on_commit=False) as session:
        return {str(a.id): a for a in session.scalars(select(IdentityAccount).where(IdentityAccount.id.in_(ids)))}


def staff(tenant: TenantInfo) -> list[StaffOut]:
    """The commune's officials (anyone holding a role here), enabled accounts only, by name."""
    accounts = _accounts(members_of(app_engine(), tenant.commune_code))
    out = [
        StaffOut(id=sid, display_name=a.display_name or a.username or sid, username=a.username)
        for sid, a in accounts.items()
        if a.enabled and a.commune_code == tenant.commune_code
    ]
    return sorted(out, key=lambda s: s.display_name.casefold())


def name_of(subject: str | None) -> str | None:
    if not subject:
        return None
    a = _accounts([subject]).get(subject)
    return (a.display_name or a.username) if a else None


def with_names(out: ReportOut) -> ReportOut:
    out.assignee_name = name_of(out.assignee)
    return out


def assign(db: Session, report_id: int, assignee: str, who: Viewer, tenant: TenantInfo) -> Report:
    if assignee not in {s.id for s in staff(tenant)}:
        raise InvalidInput(
            "Người được giao phải là cán bộ của xã.",
            "The assignee must be one of the commune's officials.",
            code="unknown_assignee",
            field="assignee",
        )
    report = _locked(db, report_id)
    before = report.assignee
    report.assignee = assignee
    report.updated_at = datetime.now(UTC)
    db.add(ReportEvent(report_id=report.id, kind="assign", body=assignee, internal=True, actor=who.actor))
    db.flush()
    notify(
        db,
        [assignee],
        Message(
            kind="report_assigned",
            code="report_assigned",
            params={"id": report.id},
            link=f"/reports/{report.id}",
            source_type="report",
            source_id=str(report.id),
        ),
    )
    _audit(db, who, "assign", "report", report.id, before={"assignee": before}, after={"assignee": assignee})
    return report


def rate(db: Session, report_id: int, data: RatingIn, who: Viewer) -> Report:
    report = repository.report_for(db, report_id, owner=who.subject)
    if report is None:
        raise _not_found()
    if report.status not in ("resolved", "closed"):
        raise Conflict(
            "Chỉ đánh giá được khi phản ánh đã xử lý xong.",
            "A report can be rated once it is resolved.",
            code="not_resolved",
        )
    if report.rating is not None:
        raise Conflict("Bạn đã đánh giá phản ánh này.", "You already rated this report.", code="already_rated")
    report.rating = data.rating
    report.rating_comment = data.comment or None
    db.add(
        ReportEvent(
            report_id=report.id,
            kind="rating",
            body=f"{data.rating}/5 {data.comment}".strip(),
            internal=False,
            actor=who.actor,
        )
    )
    db.flush()
    _audit(db, who, "rate", "report", report.id, after={"rating": data.rating})
    return report


def moderate(db: Session, report_id: int, data: ModerationIn, who: Viewer) -> Report:
    """Hide a report, redact its public text, hide or show photos. The original stays for officials."""
    report = _locked(db, report_id)
    before = {"hidden": report.hidden, "redacted_description": report.redacted_description}
    if data.hidden is not None:
        report.hidden = data.hidden
    if data.clear_redaction:
        report.redacted_description = None
    elif data.redacted_description is not None:
        report.redacted_description = data.redacted_description
    photo_ids = set(data.hide_photos) | set(data.show_photos)
    if photo_ids:
        owned = set(
            db.scalars(select(ReportPhoto.id).where(ReportPhoto.report_id == report.id, ReportPhoto.id.in_(photo_ids)))
        )
        if owned != photo_ids:
            raise InvalidInput(
                "Ảnh không thuộc phản ánh này.", "A photo is not part of this report.", code="photo_not_found"
            )
        if data.hide_photos:
            db.execute(update(ReportPhoto).where(ReportPhoto.id.in_(data.hide_photos)).values(hidden=True))
        if data.show_photos:
            db.execute(update(ReportPhoto).where(ReportPhoto.id.in_(data.show_photos)).values(hidden=False))
    report.updated_at = datetime.now(UTC)
    db.add(ReportEvent(report_id=report.id, kind="moderation", body=data.reason, internal=True, actor=who.actor))
    db.flush()
    after = {
        "hidden": report.hidden,
        "redacted_description": report.redacted_description,
        "hide_photos": data.hide_photos,
        "show_photos": data.show_photos,
        "reason": data.reason,
    }
    _audit(db, who, "moderate", "report", report.id, before=before, after=after)
    return report


# -- public views -------------------------------------------------------------------------------------
ACCEPTED_STATUSES = ("accepted", "in_progress", "resolved", "closed")
"""What the public sees by default: reports an official has accepted (not a new, rejected or duplicate one)."""


def public_visible(db: Session) -> list[ColumnElement[bool]]:
    """The reports anyone may see: never a hidden one; a new one only when the commune publishes at once
    (`commune_settings.reports_public_after = 'submitted'`), else only once accepted."""
    clauses: list[ColumnElement[bool]] = [Report.hidden.is_(False)]
    if not commune_service.reports_public_at_once(db):
        clauses.append(Report.status.in_(ACCEPTED_STATUSES))
    return clauses


def _public_columns() -> tuple[Any, ...]:
    visible_photos = (
        select(func.coalesce(func.array_agg(aggregate_order_by(ReportPhoto.id, ReportPhoto.position)), text("'{}'")))
        .where(ReportPhoto.report_id == Report.id, ReportPhoto.hidden.is_(False))
        .scalar_subquery()
    )
    return (
        Report.id,
        ReportCategory.code,
        ReportCategory.name,
        Report.status,
        func.coalesce(Report.redacted_description, Report.description),
        case((Report.anonymous.is_(True), null()), else_=Report.reporter_name),
        Report.lat,
        Report.lng,
        Report.address_code,
        Report.address,
        Report.sla_due_at,
        Report.created_at,
        Report.updated_at,
        Report.resolved_at,
        visible_photos,
    )


def _overdue(status: str, sla_due_at: datetime, resolved_at: datetime | None, now: datetime) -> bool:
    if status in OPEN_STATUSES:
        return sla_due_at < now
    return resolved_at is not None and resolved_at > sla_due_at


def public_list(
    db: Session,
    *,
    category_code: str | None,
    status: str | None,
    before_id: int | None,
    limit: int,
    report_id: int | None = None,
) -> list[PublicReport]:
    """One round trip: plain columns (no ORM objects) and the visible photo ids aggregated per row; the
    partial index `ix_reports_public_id` serves the newest-first scan of non-hidden reports."""
    query = (
        select(*_public_columns())
        .join(ReportCategory, ReportCategory.id == Report.category_id)
        .where(*public_visible(db))
        .order_by(Report.id.desc())
        .limit(limit)
    )
    if category_code is not None:
        query = query.where(ReportCategory.code == category_code)
    if status is not None:
        query = query.where(Report.status == status)
    if before_id is not None:
        query = query.where(Report.id < before_id)
    if report_id is not None:
        query = query.where(Report.id == report_id)
    now = datetime.now(UTC)
    return [
        PublicReport(
            id=rid,
            category_code=code,
            category_name=name,
            status=st,
            description=description,
            reporter_name=reporter_name,
            lat=lat,
            lng=lng,
            address_code=address_code,
            address=address,
            overdue=_overdue(st, sla_due_at, resolved_at, now),
            created_at=created_at,
            updated_at=updated_at,
            resolved_at=resolved_at,
            photo_ids=list(photo_ids or []),
        )
        for (
            rid,
            code,
            name,
            st,
            description,
            reporter_name,
            lat,
            lng,
            address_code,
            address,
            sla_due_at,
            created_at,
            updated_at,
            resolved_at,
            photo_ids,
        ) in db.execute(query)
    ]


MAP_DESCRIPTION_CHARS = 280  # a map popup; the full text is one click away (`/public/reports/{id}`)


def public_map(
    db: Session,
    *,
    category_code: str | None,
    status: str | None,
    before_id: int | None,
    limit: int,
    bbox: tuple[float, float, float, float] | None = None,
) -> dict[str, Any]:
    """RFC 7946 FeatureCollection of the newest non-hidden reports with a point, one page at a time.

    Only what a map marker needs (no photos, description shortened), served by the partial index
    `ix_reports_public_map_id`; `bbox` = (min lng, min lat, max lng, max lat). The next page is
    `before_id=<next_before_id>` (a foreign member of the collection, null on the last page).
    """
    query = (
        select(
            Report.id,
            Report.lat,
            Report.lng,
            ReportCategory.code,
            ReportCategory.name,
            Report.status,
            func.left(func.coalesce(Report.redacted_description, Report.description), MAP_DESCRIPTION_CHARS),
            Report.sla_due_at,
            Report.resolved_at,
            Report.created_at,
        )
        .join(ReportCategory, ReportCategory.id == Report.category_id)
        .where(*public_visible(db), Report.lat.is_not(None), Report.lng.is_not(None))
        .order_by(Report.id.desc())
        .limit(limit + 1)
    )
    if category_code is not None:
        query = query.where(ReportCategory.code == category_code)
    if status is not None:
        query = query.where(Report.status == status)
    if before_id is not None:
        query = query.where(Report.id < before_id)
    if bbox is not None:
        min_lng, min_lat, max_lng, max_lat = bbox
        query = query.where(Report.lng.between(min_lng, max_lng), Report.lat.between(min_lat, max_lat))
    rows = db.execute(query).all()
    more = len(rows) > limit
    rows = rows[:limit]
    now = datetime.now(UTC)
    features = [
        {
            "type": "Feature",
            "id": rid,
            "geometry": {"type": "Point", "coordinates": [lng, lat]},
            "properties": {
                "category": code,
                "category_name": name,
                "status": st,
                "description": description,
                "overdue": _overdue(st, sla_due_at, resolved_at, now),
                "created_at": created_at.isoformat(),
            },
        }
        for rid, lat, lng, code, name, st, description, sla_due_at, resolved_at, created_at in rows
    ]
    return {
        "type": "FeatureCollection",
        "features": features,
        "next_before_id": rows[-1][0] if more and rows else None,
    }


def public_get(db: Session, report_id: int) -> Report:
    report = db.scalar(select(Report).where(Report.id == report_id, *public_visible(db)))
    if report is None:
        raise _not_found()
    return report


def geojson(reports: Sequence[PublicReport]) -> dict[str, Any]:
    """RFC 7946: coordinates are [longitude, latitude]."""
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": r.id,
                "geometry": {"type": "Point", "coordinates": [r.lng, r.lat]},
                "properties": {
                    "category": r.category_code,
                    "category_name": r.category_name,
                    "status": r.status,
                    "description": r.description,
                    "overdue": r.overdue,
                    "created_at": r.created_at.isoformat(),
                },
            }
            for r in reports
            if r.lat is not None and r.lng is not None
        ],
    }


def stats(db: Session, *, since: datetime | None) -> ReportStats:
    visible: list[ColumnElement[bool]] = [Report.hidden.is_(False)]
    if since is not None:
        visible.append(Report.created_at >= since)
    by_status = dict(db.execute(select(Report.status, func.count()).where(*visible).group_by(Report.status)).all())
    by_category = dict(
        db.execute(
            select(ReportCategory.code, func.count())
            .join(Report, Report.category_id == ReportCategory.id)
            .where(*visible)
            .group_by(ReportCategory.code)
        ).all()
    )
    hours = func.extract("epoch", Report.resolved_at - Report.created_at) / 3600.0
    resolved, median, within, overdue = db.execute(
        select(
            func.count(Report.resolved_at),
            func.percentile_cont(0.5).within_group(hours),
            func.count().filter(Report.resolved_at <= Report.sla_due_at),
            func.count().filter(Report.status.in_(OPEN_STATUSES), Report.sla_due_at < func.now()),
        ).where(*visible)
    ).one()
    return ReportStats(
        total=sum(by_status.values()),
        by_status={s: int(by_status.get(s, 0)) for s in OPEN_STATUSES + CLOSED_STATUSES},
        by_category={k: int(v) for k, v in by_category.items()},
        resolved=int(resolved),
        median_resolution_hours=round(float(median), 2) if median is not None else None,
        resolved_within_sla_share=round(within / resolved, 4) if resolved else None,
        open_overdue=int(overdue),
    )


# -- SLA escalation -----------------------------------------------------------------------------------
def escalate_overdue(db: Session, admins: Sequence[str], *, limit: int = 500) -> list[int]:
    """Mark open reports past their SLA as escalated and tell the commune admins, once per report."""
    due = repository.due_for_escalation(db, limit)
    if not due:
        return []
    now = datetime.now(UTC)
    for report in due:
        report.escalated_at = now
        db.add(ReportEvent(report_id=report.id, kind="escalation", body="", internal=True, actor="system"))
        notify(
            db,
            admins,
            Message(
                kind="report_overdue",
                code="report_overdue",
                params={"id": report.id, "due": report.sla_due_at.isoformat()},
                link=f"/reports/{report.id}",
                priority="urgent",
                source_type="report",
                source_id=str(report.id),
                data={"status": report.status, "sla_due_at": report.sla_due_at.isoformat()},
            ),
        )
    db.flush()
    audit.record(
        db,
        actor="system",
        actor_kind="system",
        action="escalate",
        object_type="report",
        object_id=",".join(str(r.id) for r in due)[:120],
        after={"reports": [r.id for r in due], "notified": len(admins)},
    )
    return [r.id for r in due]


def _audit(
    db: Session,
    who: Viewer,
    action: str,
    object_type: str,
    object_id: int,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    audit.record(
        db,
        actor=who.actor,
        actor_kind=who.actor_kind,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        before=before,
        after=after,
    )
