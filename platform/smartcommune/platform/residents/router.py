from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, File, Query, UploadFile
from fastapi.responses import Response

from smartcommune.platform.http.auth import CommuneCall, authorize
from smartcommune.platform.residents import importing, plates, repository, service
from smartcommune.platform.residents.schemas import (
    HouseholdIn,
    HouseholdOut,
    HouseholdPatch,
    ImportResult,
    RegistrationIn,
    RegistrationStatus,
    ResidentIn,
    ResidentOut,
    ResidentPatch,
    ResidentStatus,
    ReviewIn,
)
from smartcommune.platform.villages.models import Village

router = APIRouter(prefix="/api/v1", tags=["residents"])


async def _read_upload(file: UploadFile) -> bytes:
    # One byte more than allowed is enough to answer 413 without reading an unbounded body into memory.
    return await file.read(importing.MAX_CSV_BYTES + 1)


# -- households ---------------------------------------------------------------------------------------
@router.get("/households", response_model=list[HouseholdOut])
def list_households(
    village_id: int | None = None,
    house_number: str | None = None,
    limit: int = Query(default=100, ge=1, le=1000),
    offset: int = Query(default=0, ge=0),
    call: CommuneCall = Depends(authorize("residents", "read")),
) -> list[HouseholdOut]:
    rows = repository.list_households(
        call.db, village_id=village_id, house_number=house_number, limit=limit, offset=offset
    )
    return [HouseholdOut.model_validate(h) for h in rows]


@router.post("/households", response_model=HouseholdOut, status_code=201)
def create_household(data: HouseholdIn, call: CommuneCall = Depends(authorize("residents", "write"))) -> HouseholdOut:
    household = service.create_household(call.db, data, actor=call.actor, actor_kind=call.actor_kind)
    return HouseholdOut.model_validate(household)


@router.post("/households/import", response_model=ImportResult)
async def import_households(
    file: UploadFile = File(...), call: CommuneCall = Depends(authorize("residents", "write"))
) -> ImportResult:
    data = await _read_upload(file)
    return importing.import_households(call.db, data, actor=call.actor, actor_kind=call.actor_kind)


@router.get("/households/{household_id}", response_model=HouseholdOut)
def get_household(household_id: int, call: CommuneCall = Depends(authorize("residents", "read"))) -> HouseholdOut:
    return HouseholdOut.model_validate(service.get_household(call.db, household_id))


@router.patch("/households/{household_id}", response_model=HouseholdOut)
def update_household(
    household_id: int, patch: HouseholdPatch, call: CommuneCall = Depends(authorize("residents", "write"))
) -> HouseholdOut:
    household = service.update_household(call.db, household_id, patch, actor=call.actor, actor_kind=call.actor_kind)
    return HouseholdOut.model_validate(household)


@router.get("/households/{household_id}/plate")
def household_plate(
    household_id: int,
    format: Literal["svg", "png"] = "svg",  # noqa: A002 - the query parameter's public name
    call: CommuneCall = Depends(authorize("residents", "read")),
) -> Response:
    household = service.get_household(call.db, household_id)
    headers = {"X-Content-Type-Options": "nosniff", "Cache-Control": "private, max-age=300"}
    if format == "png":
        return Response(plates.plate_png(call.tenant, household), media_type="image/png", headers=headers)
    village = call.db.get(Village, household.village_id)
    body = plates.plate_svg(call.tenant, household, village.name if village else "")
    return Response(body, media_type="image/svg+xml", headers=headers)


# -- residents ----------------------------------------------------------------------------------------
@router.get("/residents", response_model=list[ResidentOut])
def list_residents(
    village_id: int | None = None,
    household_id: int | None = None,
    group: str | None = None,
    status: ResidentStatus | None = None,
    q: str | None = Query(default=None, max_length=100),
    limit: int = Query(default=100, ge=1, le=1000),
    offset: int = Query(default=0, ge=0),
    call: CommuneCall = Depends(authorize("residents", "read")),
) -> list[ResidentOut]:
    rows = repository.list_residents(
        call.db,
        village_id=village_id,
        household_id=household_id,
        group=group,
        status=status,
        q=q,
        limit=limit,
        offset=offset,
    )
    return [ResidentOut.model_validate(r) for r in rows]


@router.post("/residents", response_model=ResidentOut, status_code=201)
def create_resident(data: ResidentIn, call: CommuneCall = Depends(authorize("residents", "write"))) -> ResidentOut:
    resident = service.create_resident(call.db, data, actor=call.actor, actor_kind=call.actor_kind)
    return ResidentOut.model_validate(resident)


@router.post("/residents/import", response_model=ImportResult)
async def import_residents(
    file: UploadFile = File(...), call: CommuneCall = Depends(authorize("residents", "write"))
) -> ImportResult:
    data = await _read_upload(file)
    return importing.import_residents(call.db, data, actor=call.actor, actor_kind=call.actor_kind)


@router.get("/residents/{resident_id}", response_model=ResidentOut)
def get_resident(resident_id: int, call: CommuneCall = Depends(authorize("residents", "read"))) -> ResidentOut:
    return ResidentOut.model_validate(service.get_resident(call.db, resident_id))


@router.patch("/residents/{resident_id}", response_model=ResidentOut)
def update_resident(
    resident_id: int, patch: ResidentPatch, call: CommuneCall = Depends(authorize("residents", "write"))
) -> ResidentOut:
    resident = service.update_resident(call.db, resident_id, patch, actor=call.actor, actor_kind=call.actor_kind)
    return ResidentOut.model_validate(resident)


@router.post("/residents/{resident_id}/verify", response_model=ResidentOut)
def verify_resident(
    resident_id: int, data: ReviewIn, call: CommuneCall = Depends(authorize("residents", "write"))
) -> ResidentOut:
    resident = service.review(
        call.db, resident_id, verify=True, note=data.note, actor=call.actor, actor_kind=call.actor_kind
    )
    return ResidentOut.model_validate(resident)


@router.post("/residents/{resident_id}/reject", response_model=ResidentOut)
def reject_resident(
    resident_id: int, data: ReviewIn, call: CommuneCall = Depends(authorize("residents", "write"))
) -> ResidentOut:
    resident = service.review(
        call.db, resident_id, verify=False, note=data.note, actor=call.actor, actor_kind=call.actor_kind
    )
    return ResidentOut.model_validate(resident)


# -- self-registration (one's own record: `profile`) --------------------------------------------------
@router.get("/registration", response_model=RegistrationStatus)
def my_registration(call: CommuneCall = Depends(authorize("profile", "read"))) -> RegistrationStatus:
    resident = repository.by_subject(call.db, call.principal.subject)
    if resident is None:
        return RegistrationStatus(status="none")
    return RegistrationStatus(status=resident.status, resident=ResidentOut.model_validate(resident))  # type: ignore[arg-type]


@router.post("/registration", response_model=ResidentOut, status_code=201)
def register(data: RegistrationIn, call: CommuneCall = Depends(authorize("profile", "write"))) -> ResidentOut:
    phone = call.principal.claims.get("phone_number")
    resident = service.register(
        call.db, data, subject=call.principal.subject, phone=phone if isinstance(phone, str) else None, actor=call.actor
    )
    return ResidentOut.model_validate(resident)
