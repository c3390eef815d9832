"""Procedure catalogue and applications: submission with attachments, official workflow, history, counters."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from smartcommune.platform.files.models import StoredFile
from smartcommune.platform.files.service import DOCUMENT, FileBody, read_file, store_upload
from smartcommune.platform.inbox.service import Message, notify
from smartcommune.platform.procedures.models import Application, ApplicationEvent, ApplicationFile, Procedure
from smartcommune.platform.procedures.schemas import (
    ApplicationDetail,
    ApplicationForm,
    ApplicationOut,
    AttachmentOut,
    CounterApplicationForm,
    Counters,
    EventOut,
    ProcedureIn,
    ProcedureOut,
    ProcedurePatch,
    TransitionIn,
)
from smartcommune.platform.procedures.workdays import add_working_days
from smartcommune.platform.residents.models import Resident
from smartcommune.tenants import audit
from smartcommune.tenants.authz.policy import COMMUNE_ADMIN, COMMUNE_OFFICIAL
from smartcommune.tenants.authz.service import holders_of
from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.database import app_engine
from smartcommune.tenants.errors import Conflict, InvalidInput, NotFound, RateLimited

VN = ZoneInfo("Asia/Ho_Chi_Minh")
MAX_ATTACHMENTS = 10
APPLICATIONS_PER_HOUR = 5
STATUS_LABELS: dict[str, tuple[str, str]] = {
    "received": ("Đã tiếp nhận", "Received"),
    "processing": ("Đang giải quyết", "Processing"),
    "needs_info": ("Cần bổ sung hồ sơ", "More information needed"),
    "approved": ("Đã duyệt", "Approved"),
    "rejected": ("Từ chối", "Rejected"),
    "ready_for_pickup": ("Đã có kết quả, mời nhận", "Ready for pickup"),
    "delivered": ("Đã trả kết quả", "Result delivered"),
}
TRANSITIONS: dict[str, frozenset[str]] = {
    "received": frozenset({"processing", "rejected"}),
    "processing": frozenset({"needs_info", "approved", "rejected"}),
    "needs_info": frozenset({"processing", "rejected"}),
    "approved": frozenset({"ready_for_pickup"}),
    "ready_for_pickup": frozenset({"delivered"}),
}
OPEN = ("received", "processing", "needs_info")
DECIDED = ("approved", "rejected", "ready_for_pickup", "delivered")
# Who hears of a new application or a supplement (the one-stop desk).
DESK_ROLES = (COMMUNE_ADMIN, COMMUNE_OFFICIAL)


@dataclass(frozen=True)
class Who:
    subject: str
    actor: str
    actor_kind: str


def _audit(db: Session, who: Who, action: str, kind: str, oid: int, **kw: Any) -> None:
    audit.record(
        db, actor=who.actor, actor_kind=who.actor_kind, action=action, object_type=kind, object_id=str(oid), **kw
    )


# -- catalogue ----------------------------------------------------------------------------------------
def catalogue(db: Session, *, field: str | None, active_only: bool) -> Sequence[Procedure]:
    query = select(Procedure).order_by(Procedure.field, Procedure.name)
    if active_only:
        query = query.where(Procedure.active.is_(True))
    if field:
        query = query.where(Procedure.field == field)
    return db.scalars(query).all()


def _procedure(db: Session, procedure_id: int) -> Procedure:
    row = db.get(Procedure, procedure_id)
    if row is None:
        raise NotFound("Không tìm thấy thủ tục.", "Procedure not found.", code="procedure_not_found")
    return row


def create_procedure(db: Session, data: ProcedureIn, who: Who) -> Procedure:
    taken = Conflict(
        f"Mã thủ tục '{data.code}' đã tồn tại.", f"Procedure code '{data.code}' exists.", code="procedure_code_taken"
    )
    if db.scalar(select(Procedure.id).where(Procedure.code == data.code)) is not None:
        raise taken
    row = Procedure(**data.model_dump(), active=True)
    db.add(row)
    try:
        db.flush()
    except IntegrityError as e:
        raise taken from e
    _audit(db, who, "create", "procedure", row.id, after=ProcedureOut.model_validate(row).model_dump(mode="json"))
    return row


def update_procedure(db: Session, procedure_id: int, patch: ProcedurePatch, who: Who) -> Procedure:
    row = _procedure(db, procedure_id)
    before = ProcedureOut.model_validate(row).model_dump(mode="json")
    for key, value in patch.model_dump(exclude_unset=True).items():
        if value is not None:
            setattr(row, key, value)
    row.updated_at = datetime.now(UTC)
    db.flush()
    _audit(
        db,
        who,
        "update",
        "procedure",
        row.id,
        before=before,
        after=ProcedureOut.model_validate(row).model_dump(mode="json"),
    )
    return row


# -- applications -------------------------------------------------------------------------------------
def _notify(db: Session, app: Application, note: str, code: str = "application_status") -> None:
    if app.applicant is None:  # a counter applicant without an account: told at the desk
        return
    notify(
        db,
        [app.applicant],
        Message(
            kind="application_status",
            code=code,
            params={"id": app.id, "status": app.status, "note": note, "due_date": app.due_date.isoformat()},
            link=f"/applications/{app.id}",
            source_type="application",
            source_id=str(app.id),
            data={"status": app.status, "due_date": app.due_date.isoformat()},
        ),
    )


def _tell_desk(db: Session, tenant: TenantInfo, app: Application, kind: str, who: Who) -> None:
    """Officials of the one-stop desk get an inbox item linking to the application (not the one who acted)."""
    recipients = [s for s in holders_of(app_engine(), tenant.commune_code, DESK_ROLES) if s != who.subject]
    notify(
        db,
        recipients,
        Message(
            kind=kind,
            code=kind,
            params={"id": app.id, "applicant": app.applicant_name},
            link=f"/procedures/applications/{app.id}",
            source_type="application",
            source_id=str(app.id),
            data={"id": app.id, "applicant": app.applicant_name, "procedure_id": app.procedure_id},
        ),
    )


def _attach(db: Session, tenant: TenantInfo, app: Application, files: Sequence[tuple[str, bytes]], who: Who) -> None:
    for name, blob in files:
        row = store_upload(db, tenant, filename=name, data=blob, purpose="application", actor=who.actor, rules=DOCUMENT)
        db.add(ApplicationFile(application_id=app.id, file_id=row.id, label=name[:200], added_by=who.actor))


def _check_attachment_count(files: Sequence[tuple[str, bytes]]) -> None:
    if len(files) > MAX_ATTACHMENTS:
        raise InvalidInput(
            f"Tối đa {MAX_ATTACHMENTS} tệp đính kèm.",
            f"At most {MAX_ATTACHMENTS} attachments.",
            code="too_many_files",
            max_files=MAX_ATTACHMENTS,
        )


def apply(
    db: Session, tenant: TenantInfo, data: ApplicationForm, files: Sequence[tuple[str, bytes]], who: Who
) -> Application:
    _check_attachment_count(files)
    procedure = db.get(Procedure, data.procedure_id)
    if procedure is None or not procedure.active:
        raise InvalidInput("Thủ tục không hợp lệ.", "Unknown procedure.", code="unknown_procedure")
    if procedure.mode == "in_person":
        raise InvalidInput(
            "Thủ tục này chỉ nộp trực tiếp tại bộ phận một cửa.",
            "This procedure is filed in person only.",
            code="in_person_only",
        )
    db.execute(text("SELECT pg_advisory_xact_lock(hashtext('applications'), hashtext(:s))"), {"s": who.subject})
    since = datetime.now(UTC) - timedelta(hours=1)
    recent = db.scalar(
        select(func.count()).where(
            Application.applicant == who.subject, Application.channel == "online", Application.submitted_at >= since
        )
    )
    if (recent or 0) >= APPLICATIONS_PER_HOUR:
        raise RateLimited(
            f"Bạn đã nộp {APPLICATIONS_PER_HOUR} hồ sơ trong một giờ qua, vui lòng thử lại sau.",
            f"You filed {APPLICATIONS_PER_HOUR} applications in the last hour; please retry later.",
            code="rate_limited",
            limit_per_hour=APPLICATIONS_PER_HOUR,
        )
    return _create(db, tenant, procedure, data, files, who, applicant=who.subject, channel="online")


def register_at_counter(
    db: Session, tenant: TenantInfo, data: CounterApplicationForm, files: Sequence[tuple[str, bytes]], who: Who
) -> Application:
    """An official registers an application brought to the one-stop desk (any procedure mode). Linked to
    a resident, it belongs to their account when they have one, so it shows in their app."""
    _check_attachment_count(files)
    procedure = db.get(Procedure, data.procedure_id)
    if procedure is None or not procedure.active:
        raise InvalidInput("Thủ tục không hợp lệ.", "Unknown procedure.", code="unknown_procedure")
    applicant: str | None = None
    if data.resident_id is not None:
        resident = db.get(Resident, data.resident_id)
        if resident is None or resident.archived_at is not None:
            raise NotFound("Không tìm thấy cư dân.", "Resident not found.", code="resident_not_found")
        applicant = resident.account_subject
    return _create(db, tenant, procedure, data, files, who, applicant=applicant, channel="counter")


def _create(
    db: Session,
    tenant: TenantInfo,
    procedure: Procedure,
    data: ApplicationForm,
    files: Sequence[tuple[str, bytes]],
    who: Who,
    *,
    applicant: str | None,
    channel: str,
) -> Application:
    today = datetime.now(VN).date()
    app = Application(
        procedure_id=procedure.id,
        applicant=applicant,
        applicant_name=data.applicant_name,
        applicant_phone=data.applicant_phone,
        details=data.details,
        channel=channel,
        registered_by=who.actor if channel == "counter" else None,
        status="received",
        due_date=add_working_days(today, procedure.processing_days),
    )
    db.add(app)
    db.flush()
    _attach(db, tenant, app, files, who)
    db.add(ApplicationEvent(application_id=app.id, from_status=None, to_status="received", note="", actor=who.actor))
    db.flush()
    db.refresh(app)
    _notify(db, app, "", code="application_received")
    if channel == "online":
        _tell_desk(db, tenant, app, "application_new", who)
    _audit(
        db,
        who,
        "create",
        "application",
        app.id,
        after={"procedure": procedure.code, "files": len(files), "channel": channel},
    )
    return app


def _not_found() -> NotFound:
    return NotFound("Không tìm thấy hồ sơ.", "Application not found.", code="application_not_found")


def get_for(db: Session, app_id: int, *, owner: str | None, lock: bool = False) -> Application:
    """With `owner`, only that applicant's application (ownership is this SQL filter)."""
    query = select(Application).where(Application.id == app_id)
    if owner is not None:
        query = query.where(Application.applicant == owner)
    if lock:
        query = query.with_for_update()
    app = db.scalar(query)
    if app is None:
        raise _not_found()
    return app


def _out(app: Application, today: date) -> ApplicationOut:
    out = ApplicationOut.model_validate(app)
    out.overdue = app.status in OPEN and app.due_date < today
    return out


def list_for(
    db: Session,
    *,
    owner: str | None,
    status: str | None,
    before_id: int | None,
    limit: int,
    channel: str | None = None,
) -> list[ApplicationOut]:
    query = select(Application).order_by(Application.id.desc()).limit(limit)
    if channel is not None:
        query = query.where(Application.channel == channel)
    if owner is not None:
        query = query.where(Application.applicant == owner)
    if status is not None:
        query = query.where(Application.status == status)
    if before_id is not None:
        query = query.where(Application.id < before_id)
    today = datetime.now(VN).date()
    return [_out(a, today) for a in db.scalars(query)]


def detail(db: Session, app: Application) -> ApplicationDetail:
    files = db.scalars(
        select(ApplicationFile).where(ApplicationFile.application_id == app.id).order_by(ApplicationFile.id)
    )
    events = db.scalars(
        select(ApplicationEvent).where(ApplicationEvent.application_id == app.id).order_by(ApplicationEvent.id)
    )
    return ApplicationDetail(
        **_out(app, datetime.now(VN).date()).model_dump(),
        attachments=[AttachmentOut.model_validate(f) for f in files],
        history=[EventOut.model_validate(e) for e in events],
    )


def attachment(db: Session, tenant: TenantInfo, app: Application, attachment_id: int) -> tuple[StoredFile, FileBody]:
    row = db.get(ApplicationFile, attachment_id)
    if row is None or row.application_id != app.id:
        raise NotFound("Không tìm thấy tệp.", "File not found.", code="file_not_found")
    return read_file(db, tenant, row.file_id)


def _move(db: Session, app: Application, to: str, note: str, who: Who) -> Application:
    before = app.status
    now = datetime.now(UTC)
    app.status = to
    app.updated_at = now
    if to in ("approved", "rejected"):
        app.decided_at = now
    if to == "ready_for_pickup":
        app.ready_at = now
    db.add(ApplicationEvent(application_id=app.id, from_status=before, to_status=to, note=note, actor=who.actor))
    db.flush()
    if who.subject != app.applicant:  # nobody is told of their own action (a resident's supplement)
        _notify(db, app, note)
    _audit(db, who, "transition", "application", app.id, before={"status": before}, after={"status": to, "note": note})
    return app


def transition(db: Session, app_id: int, data: TransitionIn, who: Who) -> Application:
    app = get_for(db, app_id, owner=None, lock=True)
    allowed = TRANSITIONS.get(app.status, frozenset())
    if data.to not in allowed:
        raise Conflict(
            f"Không thể chuyển hồ sơ từ '{STATUS_LABELS[app.status][0]}' sang '{STATUS_LABELS[data.to][0]}'.",
            f"An application cannot go from '{app.status}' to '{data.to}'.",
            code="invalid_transition",
            status=app.status,
            allowed=sorted(allowed),
        )
    if data.to in ("needs_info", "rejected") and not data.note:
        raise InvalidInput(
            "Cần ghi rõ lý do hoặc giấy tờ cần bổ sung.",
            "A note is required (the reason, or what to add).",
            code="note_required",
        )
    return _move(db, app, data.to, data.note, who)


def supplement(
    db: Session, tenant: TenantInfo, app_id: int, note: str, files: Sequence[tuple[str, bytes]], who: Who
) -> Application:
    """The applicant adds what was asked for; the application goes back to processing."""
    _check_attachment_count(files)
    app = get_for(db, app_id, owner=who.subject, lock=True)
    if app.status != "needs_info":
        raise Conflict(
            "Hồ sơ không ở trạng thái cần bổ sung.",
            "The application is not waiting for more information.",
            code="not_waiting_for_info",
        )
    _attach(db, tenant, app, files, who)
    moved = _move(db, app, "processing", note or "Đã bổ sung hồ sơ", who)
    _tell_desk(db, tenant, app, "application_supplemented", who)
    return moved


def counters(db: Session, *, since: datetime | None) -> Counters:
    where = [Application.submitted_at >= since] if since is not None else []
    decided_day = func.timezone("Asia/Ho_Chi_Minh", Application.decided_at).cast(Application.due_date.type)
    received, online, open_, decided, on_time, overdue = db.execute(
        select(
            func.count(),
            func.count().filter(Application.channel == "online"),
            func.count().filter(Application.status.in_(OPEN)),
            func.count(Application.decided_at),
            func.count().filter(decided_day <= Application.due_date),
            func.count().filter(Application.status.in_(OPEN), Application.due_date < func.current_date()),
        ).where(*where)
    ).one()
    return Counters(
        received=int(received),
        received_online=int(online),
        in_progress=int(open_),
        decided=int(decided),
        decided_on_time=int(on_time),
        on_time_share=round(on_time / decided, 4) if decided else None,
        overdue_open=int(overdue),
    )
