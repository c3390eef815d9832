from __future__ import annotations

from fastapi import APIRouter, Depends

from smartcommune.platform.http.auth import CommuneCall, authorize
from smartcommune.platform.villages import repository, service
from smartcommune.platform.villages.schemas import VillageIn, VillageOut, VillagePatch

router = APIRouter(prefix="/api/v1/villages", tags=["villages"])


@router.get("", response_model=list[VillageOut])
def list_villages(call: CommuneCall = Depends(authorize("villages", "read"))) -> list[VillageOut]:
    return [VillageOut.model_validate(v) for v in repository.list_villages(call.db)]


@router.post("", response_model=VillageOut, status_code=201)
def create_village(data: VillageIn, call: CommuneCall = Depends(authorize("villages", "write"))) -> VillageOut:
    return VillageOut.model_validate(service.create(call.db, data, actor=call.actor, actor_kind=call.actor_kind))


@router.get("/{village_id}", response_model=VillageOut)
def get_village(village_id: int, call: CommuneCall = Depends(authorize("villages", "read"))) -> VillageOut:
    return VillageOut.model_validate(service.get(call.db, village_id))


@router.patch("/{village_id}", response_model=VillageOut)
def update_village(
    village_id: int, patch: VillagePatch, call: CommuneCall = Depends(authorize("villages", "write"))
) -> VillageOut:
    village = service.update(call.db, village_id, patch, actor=call.actor, actor_kind=call.actor_kind)
    return VillageOut.model_validate(village)
