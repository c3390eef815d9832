from __future__ import annotations

import uuid
from typing import Literal

from fastapi import APIRouter, Depends, File, Query, UploadFile
from fastapi.responses import Response

from smartcommune.platform.http.auth import CommuneCall, authorize
from smartcommune.platform.residents import importing, plates, repository, service
from smartcommune.platform.residents.models import Household, Resident
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
    VillageScopeIn,
    VillageScopeOut,
)
from smartcommune.platform.residents.scope import all_links, set_villages, village_scope
from smartcommune.platform.villages.models import Village
from smartcommune.tenants.authz.authorizer import get_enforcer
from smartcommune.tenants.authz.policy import VILLAGE_HEAD
from smartcommune.tenants.errors import InvalidInput, NotFound

router = APIRouter(prefix="/api/v1", tags=["residents"])


def _scope(call: CommuneCall) -> frozenset[int] | None:
    """A village head reads the register of their own village(s) only (None: the whole commune)."""
    return village_scope(call.db, call.principal, call.tenant.commune_code, "residents", "read")


def _household_in_scope(call: CommuneCall, household_id: int) -> Household:
    household = service.get_household(call.db, household_id)
    if not service.in_scope(household.village_id, _scope(call)):
        raise NotFound("Không tìm thấy hộ gia đình.", "Household not found.", code="household_not_found")
    return household


def _resident_in_scope(call: CommuneCall, resident_id: int) -> Resident:
    resident = service.get_resident(call.db, resident_id)
    if not service.in_scope(resident.village_id, _scope(call)):
        raise NotFound("Không tìm thấy cư dân.", "Resident not found.", code="resident_not_found")
    return resident


async def _read_upload(file: UploadFile) -> bytes:
    # One byte more than allowed is enough to answer 413 without reading an unbounded body into memory.
    return await file.read(importing.MAX_CSV_BYTES + 1)


# -- households ---------------------------------------------------------------------------------------
@router.get("/households", response_model=list[HouseholdOut])
def list_households(
    village_id: int | None = None,
    house_number: str | None = None,
    include_archived: bool = False,
    limit: int = Query(default=100, ge=1, le=1000),
    offset: int = Query(default=0, ge=0),
    call: CommuneCall = Depends(authorize("residents", "read")),
) -> list[HouseholdOut]:
    rows = repository.list_households(
        call.db,
        village_id=village_id,
        house_number=house_number,
        limit=limit,
        offset=offset,
        include_archived=include_archived,
        villages=_scope(call),
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
    return HouseholdOut.model_validate(_household_in_scope(call, household_id))


@router.delete("/households/{household_id}", response_model=HouseholdOut)
def archive_household(household_id: int, call: CommuneCall = Depends(authorize("residents", "write"))) -> HouseholdOut:
    """Archive (never erase): its residents' history, fees and reports keep pointing at it."""
    household = service.archive_household(call.db, household_id, actor=call.actor, actor_kind=call.actor_kind)
    return HouseholdOut.model_validate(household)


@router.post("/households/{household_id}/restore", response_model=HouseholdOut)
def restore_household(household_id: int, call: CommuneCall = Depends(authorize("residents", "write"))) -> HouseholdOut:
    household = service.restore_household(call.db, household_id, actor=call.actor, actor_kind=call.actor_kind)
    return HouseholdOut.model_validate(household)


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
    household = _household_in_scope(call, household_id)
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
    include_archived: bool = False,
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
        include_archived=include_archived,
        villages=_scope(call),
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
    return ResidentOut.model_validate(_resident_in_scope(call, resident_id))


@router.delete("/residents/{resident_id}", response_model=ResidentOut)
def archive_resident(resident_id: int, call: CommuneCall = Depends(authorize("residents", "write"))) -> ResidentOut:
    """Archive (never erase): deliveries, reports and history stay; they leave lists and targeting."""
    resident = service.archive_resident(call.db, resident_id, actor=call.actor, actor_kind=call.actor_kind)
    return ResidentOut.model_validate(resident)


@router.post("/residents/{resident_id}/restore", response_model=ResidentOut)
def restore_resident(resident_id: int, call: CommuneCall = Depends(authorize("residents", "write"))) -> ResidentOut:
    resident = service.restore_resident(call.db, resident_id, actor=call.actor, actor_kind=call.actor_kind)
    return ResidentOut.model_validate(resident)


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


# -- village heads' villages (the commune admin links them) ---------------------------------------------
@router.get("/village-heads", response_model=list[VillageScopeOut])
def list_village_heads(call: CommuneCall = Depends(authorize("role_assignments", "read"))) -> list[VillageScopeOut]:
    return [VillageScopeOut(user_id=s, village_ids=v) for s, v in all_links(call.db).items()]


@router.put("/village-heads/{user_id}", response_model=VillageScopeOut)
def set_village_head_villages(
    user_id: uuid.UUID, data: VillageScopeIn, call: CommuneCall = Depends(authorize("role_assignments", "write"))
) -> VillageScopeOut:
    """Which villages this village head speaks for (replaces the previous list; [] unlinks them all)."""
    if VILLAGE_HEAD not in get_enforcer().roles_in(f"user:{user_id}", str(call.tenant.commune_code)):
        raise InvalidInput(
            "Người dùng không giữ vai trò trưởng thôn ở xã này.",
            "The user is not a village head in this commune.",
            code="not_a_village_head",
            field="user_id",
        )
    villages = set_villages(call.db, str(user_id), data.village_ids, actor=call.actor, actor_kind=call.actor_kind)
    return VillageScopeOut(user_id=str(user_id), village_ids=villages)
