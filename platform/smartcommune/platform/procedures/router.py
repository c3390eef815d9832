"""Procedure catalogue (`procedure_catalogue`), residents' applications (`procedures`: their own only),
the one-stop desk (`applications`: every application), and public catalogue and counters (no login)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Query, UploadFile
from fastapi.responses import Response

from smartcommune.platform.files.http import file_response, read_uploads
from smartcommune.platform.files.service import DOCUMENT
from smartcommune.platform.http.auth import CommuneCall, authorize, tenant_db
from smartcommune.platform.procedures import service
from smartcommune.platform.procedures.schemas import (
    ApplicationDetail,
    ApplicationForm,
    ApplicationOut,
    ApplicationStatus,
    Channel,
    CounterApplicationForm,
    Counters,
    ProcedureIn,
    ProcedureOut,
    ProcedurePatch,
    SupplementForm,
    TransitionIn,
)
from smartcommune.platform.procedures.service import Who
from smartcommune.tenants.session import TenantSession

router = APIRouter(tags=["procedures"])


def _who(call: CommuneCall) -> Who:
    return Who(call.principal.subject, call.actor, call.actor_kind)


# -- catalogue ----------------------------------------------------------------------------------------
@router.get("/api/v1/public/procedures", response_model=list[ProcedureOut])
def public_catalogue(
    field: str | None = Query(default=None, max_length=120), db: TenantSession = Depends(tenant_db, scope="function")
) -> list[ProcedureOut]:
    return [ProcedureOut.model_validate(p) for p in service.catalogue(db, field=field, active_only=True)]


@router.get("/api/v1/public/procedures/counters", response_model=Counters)
def public_counters(
    days: int | None = Query(default=None, ge=1, le=3660), db: TenantSession = Depends(tenant_db, scope="function")
) -> Counters:
    return service.counters(db, since=datetime.now(UTC) - timedelta(days=days) if days else None)


@router.get("/api/v1/procedures", response_model=list[ProcedureOut])
def all_procedures(call: CommuneCall = Depends(authorize("procedure_catalogue", "read"))) -> list[ProcedureOut]:
    return [ProcedureOut.model_validate(p) for p in service.catalogue(call.db, field=None, active_only=False)]


@router.post("/api/v1/procedures", response_model=ProcedureOut, status_code=201)
def create_procedure(
    data: ProcedureIn, call: CommuneCall = Depends(authorize("procedure_catalogue", "write"))
) -> ProcedureOut:
    return ProcedureOut.model_validate(service.create_procedure(call.db, data, _who(call)))


@router.patch("/api/v1/procedures/{procedure_id}", response_model=ProcedureOut)
def update_procedure(
    procedure_id: int, patch: ProcedurePatch, call: CommuneCall = Depends(authorize("procedure_catalogue", "write"))
) -> ProcedureOut:
    return ProcedureOut.model_validate(service.update_procedure(call.db, procedure_id, patch, _who(call)))


# -- a resident's own applications --------------------------------------------------------------------
@router.post("/api/v1/applications", response_model=ApplicationOut, status_code=201)
def apply(
    data: Annotated[ApplicationForm, Form()],
    files: Annotated[list[UploadFile], File()] = [],  # noqa: B006 (FastAPI copies the default)
    call: CommuneCall = Depends(authorize("procedures", "write")),
) -> ApplicationOut:
    blobs = read_uploads(files, DOCUMENT.max_bytes)
    return ApplicationOut.model_validate(service.apply(call.db, call.tenant, data, blobs, _who(call)))


@router.get("/api/v1/applications", response_model=list[ApplicationOut])
def my_applications(
    status: ApplicationStatus | None = None,
    before_id: int | None = None,
    limit: int = Query(default=30, ge=1, le=200),
    call: CommuneCall = Depends(authorize("procedures", "read")),
) -> list[ApplicationOut]:
    return service.list_for(call.db, owner=call.principal.subject, status=status, before_id=before_id, limit=limit)


@router.get("/api/v1/applications/{application_id}", response_model=ApplicationDetail)
def my_application(
    application_id: int, call: CommuneCall = Depends(authorize("procedures", "read"))
) -> ApplicationDetail:
    return service.detail(call.db, service.get_for(call.db, application_id, owner=call.principal.subject))


@router.get("/api/v1/applications/{application_id}/files/{attachment_id}")
def my_application_file(
    application_id: int, attachment_id: int, call: CommuneCall = Depends(authorize("procedures", "read"))
) -> Response:
    app = service.get_for(call.db, application_id, owner=call.principal.subject)
    return file_response(*service.attachment(call.db, call.tenant, app, attachment_id))


@router.post("/api/v1/applications/{application_id}/supplement", response_model=ApplicationOut)
def supplement(
    application_id: int,
    data: Annotated[SupplementForm, Form()],
    files: Annotated[list[UploadFile], File()] = [],  # noqa: B006
    call: CommuneCall = Depends(authorize("procedures", "write")),
) -> ApplicationOut:
    blobs = read_uploads(files, DOCUMENT.max_bytes)
    app = service.supplement(call.db, call.tenant, application_id, data.note, blobs, _who(call))
    return ApplicationOut.model_validate(app)


# -- the one-stop desk (bộ phận một cửa) --------------------------------------------------------------
@router.get("/api/v1/one-stop/applications", response_model=list[ApplicationOut])
def desk_list(
    status: ApplicationStatus | None = None,
    channel: Channel | None = None,
    before_id: int | None = None,
    limit: int = Query(default=50, ge=1, le=500),
    call: CommuneCall = Depends(authorize("applications", "read")),
) -> list[ApplicationOut]:
    return service.list_for(call.db, owner=None, status=status, before_id=before_id, limit=limit, channel=channel)


@router.post("/api/v1/one-stop/applications", response_model=ApplicationOut, status_code=201)
def desk_register(
    data: Annotated[CounterApplicationForm, Form()],
    files: Annotated[list[UploadFile], File()] = [],  # noqa: B006 (FastAPI copies the default)
    call: CommuneCall = Depends(authorize("applications", "write")),
) -> ApplicationOut:
    """An application brought to the desk in person: channel `counter` (residents' own are `online`)."""
    blobs = read_uploads(files, DOCUMENT.max_bytes)
    return ApplicationOut.model_validate(service.register_at_counter(call.db, call.tenant, data, blobs, _who(call)))


@router.get("/api/v1/one-stop/applications/{application_id}", response_model=ApplicationDetail)
def desk_get(application_id: int, call: CommuneCall = Depends(authorize("applications", "read"))) -> ApplicationDetail:
    return service.detail(call.db, service.get_for(call.db, application_id, owner=None))


@router.get("/api/v1/one-stop/applications/{application_id}/files/{attachment_id}")
def desk_file(
    application_id: int, attachment_id: int, call: CommuneCall = Depends(authorize("applications", "read"))
) -> Response:
    app = service.get_for(call.db, application_id, owner=None)
    return file_response(*service.attachment(call.db, call.tenant, app, attachment_id))


@router.post("/api/v1/one-stop/applications/{application_id}/transition", response_model=ApplicationOut)
def desk_transition(
    application_id: int, data: TransitionIn, call: CommuneCall = Depends(authorize("applications", "write"))
) -> ApplicationOut:
    return ApplicationOut.model_validate(service.transition(call.db, application_id, data, _who(call)))
