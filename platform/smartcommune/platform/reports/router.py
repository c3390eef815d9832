"""Field report routes: the reporter's own (`reports`), triage (`report_triage`, `report_moderation`),
category settings (`settings`), and the public list, map, stats and photos (no login)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, UploadFile
from fastapi.responses import JSONResponse, Response

from smartcommune.platform.files.http import file_response, read_uploads
from smartcommune.platform.files.service import PHOTO
from smartcommune.platform.http.auth import CommuneCall, authorize, request_tenant, tenant_db
from smartcommune.platform.reports import repository, service
from smartcommune.platform.reports.schemas import (
    AssignIn,
    CategoryIn,
    CategoryOut,
    CategoryPatch,
    CommentIn,
    EventOut,
    ModerationIn,
    PublicReport,
    RatingIn,
    ReportDetail,
    ReportForm,
    ReportOut,
    ReportStats,
    ReportStatus,
    StaffOut,
    TransitionIn,
)
from smartcommune.platform.reports.service import Viewer
from smartcommune.tenants.authz.authorizer import is_allowed
from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.errors import InvalidInput
from smartcommune.tenants.session import TenantSession

router = APIRouter(tags=["reports"])


def viewer(call: CommuneCall) -> Viewer:
    code = call.tenant.commune_code
    return Viewer(
        subject=call.principal.subject,
        actor=call.actor,
        actor_kind=call.actor_kind,
        triager=is_allowed(call.principal, code, "report_triage", "read"),
        moderator=is_allowed(call.principal, code, "report_moderation", "write"),
    )


# -- categories (settings) ----------------------------------------------------------------------------
@router.get("/api/v1/report-categories", response_model=list[CategoryOut])
def list_categories(call: CommuneCall = Depends(authorize("reports", "read"))) -> list[CategoryOut]:
    return [CategoryOut.model_validate(c) for c in repository.list_categories(call.db, active_only=False)]


@router.post("/api/v1/report-categories", response_model=CategoryOut, status_code=201)
def create_category(data: CategoryIn, call: CommuneCall = Depends(authorize("settings", "write"))) -> CategoryOut:
    return CategoryOut.model_validate(service.create_category(call.db, data, viewer(call)))


@router.patch("/api/v1/report-categories/{category_id}", response_model=CategoryOut)
def update_category(
    category_id: int, patch: CategoryPatch, call: CommuneCall = Depends(authorize("settings", "write"))
) -> CategoryOut:
    return CategoryOut.model_validate(service.update_category(call.db, category_id, patch, viewer(call)))


# -- the reporter's own reports -----------------------------------------------------------------------
@router.post("/api/v1/reports", response_model=ReportOut, status_code=201)
def submit_report(
    response: Response,
    data: Annotated[ReportForm, Form()],
    photos: Annotated[list[UploadFile], File()] = [],  # noqa: B006 (FastAPI copies the default)
    call: CommuneCall = Depends(authorize("reports", "write")),
) -> ReportOut:
    blobs = read_uploads(photos, PHOTO.max_bytes)
    report, created = service.submit_once(call.db, call.tenant, data, blobs, viewer(call))
    if not created:
        response.status_code = 200  # the same submission again: nothing new was made
    return service.to_out(report, repository.photos_of(call.db, [report.id])[report.id])


@router.get("/api/v1/reports", response_model=list[ReportOut])
def my_reports(
    status: ReportStatus | None = None,
    before_id: int | None = None,
    limit: int = Query(default=30, ge=1, le=200),
    call: CommuneCall = Depends(authorize("reports", "read")),
) -> list[ReportOut]:
    who = Viewer(call.principal.subject, call.actor, call.actor_kind)  # own reports only, whatever the role
    return service.list_for(
        call.db, who, status=status, category_id=None, overdue=None, before_id=before_id, limit=limit
    )


def _own(call: CommuneCall) -> Viewer:
    return Viewer(call.principal.subject, call.actor, call.actor_kind)


@router.get("/api/v1/reports/{report_id}", response_model=ReportDetail)
def my_report(report_id: int, call: CommuneCall = Depends(authorize("reports", "read"))) -> ReportDetail:
    who = _own(call)
    return service.detail(call.db, service.get_for(call.db, report_id, who), who)


@router.get("/api/v1/reports/{report_id}/photos/{photo_id}")
def my_report_photo(
    report_id: int, photo_id: int, call: CommuneCall = Depends(authorize("reports", "read"))
) -> Response:
    report = service.get_for(call.db, report_id, _own(call))
    return file_response(*service.photo_for(call.db, call.tenant, report, photo_id, public=False))


@router.post("/api/v1/reports/{report_id}/comments", response_model=EventOut, status_code=201)
def comment_on_my_report(
    report_id: int, data: CommentIn, call: CommuneCall = Depends(authorize("reports", "write"))
) -> EventOut:
    who = _own(call)
    report = service.get_for(call.db, report_id, who)
    return EventOut.model_validate(service.comment(call.db, report, data.body, who, internal=False))


@router.post("/api/v1/reports/{report_id}/rating", response_model=ReportOut)
def rate_my_report(
    report_id: int, data: RatingIn, call: CommuneCall = Depends(authorize("reports", "write"))
) -> ReportOut:
    report = service.rate(call.db, report_id, data, _own(call))
    return service.to_out(report, repository.photos_of(call.db, [report.id])[report.id])


# -- triage -------------------------------------------------------------------------------------------
@router.get("/api/v1/triage/reports", response_model=list[ReportOut])
def triage_list(
    status: ReportStatus | None = None,
    category_id: int | None = None,
    overdue: bool | None = None,
    before_id: int | None = None,
    limit: int = Query(default=50, ge=1, le=500),
    call: CommuneCall = Depends(authorize("report_triage", "read")),
) -> list[ReportOut]:
    return service.list_for(
        call.db,
        viewer(call),
        status=status,
        category_id=category_id,
        overdue=overdue,
        before_id=before_id,
        limit=limit,
    )


@router.get("/api/v1/triage/reports/{report_id}", response_model=ReportDetail)
def triage_get(report_id: int, call: CommuneCall = Depends(authorize("report_triage", "read"))) -> ReportDetail:
    who = viewer(call)
    return service.detail(call.db, service.get_for(call.db, report_id, who), who)


@router.get("/api/v1/triage/reports/{report_id}/photos/{photo_id}")
def triage_photo(
    report_id: int, photo_id: int, call: CommuneCall = Depends(authorize("report_triage", "read"))
) -> Response:
    report = service.get_for(call.db, report_id, viewer(call))
    return file_response(*service.photo_for(call.db, call.tenant, report, photo_id, public=False))


@router.post("/api/v1/triage/reports/{report_id}/transition", response_model=ReportOut)
def triage_transition(
    report_id: int, data: TransitionIn, call: CommuneCall = Depends(authorize("report_triage", "write"))
) -> ReportOut:
    report = service.transition(call.db, report_id, data, viewer(call))
    return service.to_out(report, repository.photos_of(call.db, [report.id])[report.id])


@router.post("/api/v1/triage/reports/{report_id}/replies", response_model=EventOut, status_code=201)
def triage_reply(
    report_id: int, data: CommentIn, call: CommuneCall = Depends(authorize("report_triage", "write"))
) -> EventOut:
    who = viewer(call)
    report = service.get_for(call.db, report_id, who)
    return EventOut.model_validate(service.comment(call.db, report, data.body, who, internal=False))


@router.post("/api/v1/triage/reports/{report_id}/notes", response_model=EventOut, status_code=201)
def triage_note(
    report_id: int, data: CommentIn, call: CommuneCall = Depends(authorize("report_triage", "write"))
) -> EventOut:
    who = viewer(call)
    report = service.get_for(call.db, report_id, who)
    return EventOut.model_validate(service.comment(call.db, report, data.body, who, internal=True))


@router.post("/api/v1/triage/reports/{report_id}/assign", response_model=ReportOut)
def triage_assign(
    report_id: int, data: AssignIn, call: CommuneCall = Depends(authorize("report_triage", "write"))
) -> ReportOut:
    report = service.assign(call.db, report_id, data.assignee, viewer(call), call.tenant)
    return service.with_names(service.to_out(report, repository.photos_of(call.db, [report.id])[report.id]))


@router.get("/api/v1/triage/staff", response_model=list[StaffOut])
def triage_staff(call: CommuneCall = Depends(authorize("report_triage", "read"))) -> list[StaffOut]:
    """Whom a report can be assigned to: the commune's officials."""
    return service.staff(call.tenant)


@router.post("/api/v1/triage/reports/{report_id}/moderation", response_model=ReportOut)
def triage_moderate(
    report_id: int, data: ModerationIn, call: CommuneCall = Depends(authorize("report_moderation", "write"))
) -> ReportOut:
    report = service.moderate(call.db, report_id, data, viewer(call))
    return service.to_out(report, repository.photos_of(call.db, [report.id])[report.id])


# -- public (no login) --------------------------------------------------------------------------------
@router.get("/api/v1/public/report-categories", response_model=list[CategoryOut])
def public_categories(db: TenantSession = Depends(tenant_db, scope="function")) -> list[CategoryOut]:
    return [CategoryOut.model_validate(c) for c in repository.list_categories(db, active_only=True)]


@router.get("/api/v1/public/reports", response_model=list[PublicReport])
def public_reports(
    category: str | None = Query(default=None, max_length=40),
    status: ReportStatus | None = None,
    before_id: int | None = None,
    limit: int = Query(default=50, ge=1, le=200),
    db: TenantSession = Depends(tenant_db, scope="function"),
) -> list[PublicReport]:
    return service.public_list(db, category_code=category, status=status, before_id=before_id, limit=limit)


@router.get(
    "/api/v1/public/reports/map",
    responses={200: {"description": "GeoJSON FeatureCollection", "content": {"application/geo+json": {}}}},
)
def public_map(
    category: str | None = Query(default=None, max_length=40),
    status: ReportStatus | None = None,
    before_id: int | None = None,
    bbox: str | None = Query(
        default=None, max_length=100, description="min lng,min lat,max lng,max lat", pattern=r"^[-0-9.,\s]+$"
    ),
    limit: int = Query(default=300, ge=1, le=2000),
    db: TenantSession = Depends(tenant_db, scope="function"),
) -> JSONResponse:
    """GeoJSON, one page of the newest reports with a point (`next_before_id` pages on; `bbox` narrows)."""
    body: dict[str, Any] = service.public_map(
        db, category_code=category, status=status, before_id=before_id, limit=limit, bbox=_bbox(bbox)
    )
    return JSONResponse(body, media_type="application/geo+json")


def _bbox(raw: str | None) -> tuple[float, float, float, float] | None:
    if not raw:
        return None
    try:
        min_lng, min_lat, max_lng, max_lat = (float(x) for x in raw.split(","))
    except ValueError as e:
        raise InvalidInput(
            "bbox cần 4 số: kinh độ nhỏ nhất, vĩ độ nhỏ nhất, kinh độ lớn nhất, vĩ độ lớn nhất.",
            "bbox needs 4 numbers: min lng, min lat, max lng, max lat.",
            code="invalid_bbox",
            field="bbox",
        ) from e
    if not (-180 <= min_lng <= max_lng <= 180 and -90 <= min_lat <= max_lat <= 90):
        raise InvalidInput("bbox không hợp lệ.", "Invalid bbox.", code="invalid_bbox", field="bbox")
    return min_lng, min_lat, max_lng, max_lat


@router.get("/api/v1/public/reports/stats", response_model=ReportStats)
def public_stats(
    days: int | None = Query(default=None, ge=1, le=3660), db: TenantSession = Depends(tenant_db, scope="function")
) -> ReportStats:
    since = datetime.now(UTC) - timedelta(days=days) if days else None
    return service.stats(db, since=since)


@router.get("/api/v1/public/reports/{report_id}", response_model=PublicReport)
def public_report(report_id: int, db: TenantSession = Depends(tenant_db, scope="function")) -> PublicReport:
    report = service.public_get(db, report_id)
    return service.public_list(db, category_code=None, status=None, before_id=None, limit=1, report_id=report.id)[0]


@router.get("/api/v1/public/reports/{report_id}/photos/{photo_id}")
def public_photo(
    report_id: int,
    photo_id: int,
    tenant: TenantInfo = Depends(request_tenant),
    db: TenantSession = Depends(tenant_db, scope="function"),
) -> Response:
    report = service.public_get(db, report_id)
    response = file_response(*service.photo_for(db, tenant, report, photo_id, public=True))
    response.headers["Cache-Control"] = "public, max-age=300"
    return response
