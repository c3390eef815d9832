"""Camera routes. Camera addresses and credentials never leave the platform: browsers get JPEGs."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from smartcommune.platform.cameras import service
from smartcommune.platform.cameras.schemas import (
    CameraEventOut,
    CameraIn,
    CameraOut,
    CameraPatch,
    OnvifDiscoverIn,
    OnvifDiscoveryOut,
    OnvifRefreshIn,
    ProbeOut,
    PromoteIn,
    SiteNetworkIn,
    SiteNetworkOut,
    SiteNetworkRequestOut,
)
from smartcommune.platform.files.http import file_response
from smartcommune.platform.files.service import read_file
from smartcommune.platform.http.auth import CommuneCall, authorize

router = APIRouter(prefix="/api/v1", tags=["cameras"])


@router.get("/cameras", response_model=list[CameraOut])
def list_cameras(
    status: str | None = Query(default=None, pattern="^(unknown|online|degraded|offline)$"),
    call: CommuneCall = Depends(authorize("cameras", "read")),
) -> list[CameraOut]:
    return [service.to_out(c) for c in service.list_cameras(call.db, status)]


@router.post("/cameras", response_model=CameraOut, status_code=201)
def create_camera(data: CameraIn, call: CommuneCall = Depends(authorize("cameras", "write"))) -> CameraOut:
    """Add a camera; its first check (probe, status, snapshot) runs in the background right after."""
    camera = service.create(call.db, data, actor=call.actor, actor_kind=call.actor_kind)
    service.schedule_first_check(call.db, call.tenant, camera)
    return service.to_out(camera)


@router.post("/cameras/onvif/discover", response_model=OnvifDiscoveryOut)
def discover_onvif(
    data: OnvifDiscoverIn, call: CommuneCall = Depends(authorize("cameras", "write"))
) -> OnvifDiscoveryOut:
    """WS-Discovery of ONVIF cameras on the commune's allow-listed site network (multicast, or unicast to
    one address of it); answers and device service URLs outside it are dropped and counted as refused."""
    return service.discover_onvif(call.db, data, actor=call.actor, actor_kind=call.actor_kind)


@router.get("/cameras/{camera_id}", response_model=CameraOut)
def get_camera(camera_id: int, call: CommuneCall = Depends(authorize("cameras", "read"))) -> CameraOut:
    return service.to_out(service.get(call.db, camera_id))


@router.patch("/cameras/{camera_id}", response_model=CameraOut)
def update_camera(
    camera_id: int, patch: CameraPatch, call: CommuneCall = Depends(authorize("cameras", "write"))
) -> CameraOut:
    return service.to_out(service.update(call.db, camera_id, patch, actor=call.actor, actor_kind=call.actor_kind))


def _probe(call: CommuneCall, camera_id: int, frames: int) -> ProbeOut:
    camera, result, snapshot = service.probe_now(
        call.db, call.tenant, camera_id, actor=call.actor, actor_kind=call.actor_kind, frames=frames
    )
    return ProbeOut(
        ok=result.ok,
        reason=result.reason,
        message=result.message_vi,
        message_en=result.message_en,
        elapsed_ms=round(result.elapsed_ms, 1),
        width=result.width,
        height=result.height,
        fps=result.fps,
        codec=result.codec,
        snapshot_file_id=snapshot.id if snapshot else None,
        camera=service.to_out(camera),
    )


@router.post("/cameras/{camera_id}/probe", response_model=ProbeOut)
def probe_camera(camera_id: int, call: CommuneCall = Depends(authorize("cameras", "write"))) -> ProbeOut:
    """Probe now: open the stream, read a few frames, record resolution/fps/codec, keep a snapshot."""
    return _probe(call, camera_id, frames=5)


@router.post("/cameras/{camera_id}/snapshot", response_model=ProbeOut)
def take_snapshot(camera_id: int, call: CommuneCall = Depends(authorize("cameras", "write"))) -> ProbeOut:
    """Snapshot now: one frame, stored through the files module."""
    return _probe(call, camera_id, frames=1)


@router.post("/cameras/{camera_id}/onvif/device-information", response_model=CameraOut)
def refresh_device_information(
    camera_id: int,
    data: OnvifRefreshIn | None = None,
    call: CommuneCall = Depends(authorize("cameras", "write")),
) -> CameraOut:
    """ONVIF GetDeviceInformation now: manufacturer, model, firmware, serial number. `xaddr` (a device
    service URL from discovery) is remembered; without it the one recorded before, else the stream host's."""
    camera = service.identify_onvif(
        call.db, camera_id, actor=call.actor, actor_kind=call.actor_kind, xaddr=data.xaddr if data else None
    )
    return service.to_out(camera)


@router.get("/cameras/{camera_id}/snapshot")
def get_snapshot(camera_id: int, call: CommuneCall = Depends(authorize("cameras", "read"))) -> Response:
    row, data = read_file(call.db, call.tenant, service.latest_snapshot(call.db, camera_id))
    return file_response(row, data)


@router.get("/cameras/{camera_id}/preview.jpg")
def preview(camera_id: int, call: CommuneCall = Depends(authorize("cameras", "read"))) -> Response:
    """Low-rate preview for the camera wall (poll every few seconds): a JPEG, never the camera's address."""
    data = service.get_preview(call.db, call.tenant, camera_id)
    return Response(
        content=data,
        media_type="image/jpeg",
        headers={"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"},
    )


@router.get("/camera-site-networks", response_model=list[SiteNetworkOut])
def list_site_networks(call: CommuneCall = Depends(authorize("cameras", "read"))) -> list[SiteNetworkOut]:
    return [SiteNetworkOut.model_validate(n) for n in service.list_site_networks(call.db)]


@router.get("/camera-site-network-requests", response_model=list[SiteNetworkRequestOut])
def list_site_network_requests(
    call: CommuneCall = Depends(authorize("cameras", "read")),
) -> list[SiteNetworkRequestOut]:
    """This commune's requests for camera site networks and the provider's decisions (newest first)."""
    return [SiteNetworkRequestOut.model_validate(r) for r in service.list_site_network_requests(call.tenant)]


@router.post("/camera-site-network-requests", response_model=SiteNetworkRequestOut, status_code=201)
def request_site_network(
    data: SiteNetworkIn, call: CommuneCall = Depends(authorize("cameras", "write"))
) -> SiteNetworkRequestOut:
    """Ask the provider to approve a private network of the commune's site for camera traffic. Loopback,
    link-local, metadata, unspecified, the platform's own and non-private ranges are refused (422
    `site_network_forbidden`); nothing is honoured before the provider approves it."""
    row = service.request_site_network(call.db, call.tenant, data, actor=call.actor, actor_kind=call.actor_kind)
    return SiteNetworkRequestOut.model_validate(row)


@router.delete("/camera-site-networks/{network_id}", status_code=204)
def delete_site_network(network_id: int, call: CommuneCall = Depends(authorize("cameras", "write"))) -> Response:
    service.delete_site_network(call.db, network_id, actor=call.actor, actor_kind=call.actor_kind, tenant=call.tenant)
    return Response(status_code=204)


@router.get("/camera-events", response_model=list[CameraEventOut])
def list_events(
    camera_id: int | None = None,
    state: str | None = Query(default=None, pattern="^(open|dismissed|incident)$"),
    limit: int = Query(default=50, ge=1, le=500),
    call: CommuneCall = Depends(authorize("camera_events", "read")),
) -> list[CameraEventOut]:
    events = service.list_events(call.db, camera_id=camera_id, state=state, limit=limit)
    return [CameraEventOut.model_validate(e) for e in events]


@router.get("/camera-events/{event_id}/snapshot")
def get_event_snapshot(event_id: int, call: CommuneCall = Depends(authorize("camera_events", "read"))) -> Response:
    """The JPEG stored with this motion event; 404 `snapshot_not_found` when it has none."""
    row, data = read_file(call.db, call.tenant, service.event_snapshot(call.db, event_id))
    return file_response(row, data)


@router.post("/camera-events/{event_id}/promote", response_model=CameraEventOut)
def promote_event(
    event_id: int, data: PromoteIn, call: CommuneCall = Depends(authorize("camera_events", "write"))
) -> CameraEventOut:
    """Turn an event into an incident, optionally linked to a field report (by id)."""
    event = service.promote(call.db, event_id, data, actor=call.actor, actor_kind=call.actor_kind)
    return CameraEventOut.model_validate(event)


@router.post("/camera-events/{event_id}/dismiss", response_model=CameraEventOut)
def dismiss_event(event_id: int, call: CommuneCall = Depends(authorize("camera_events", "write"))) -> CameraEventOut:
    event = service.dismiss(call.db, event_id, actor=call.actor, actor_kind=call.actor_kind)
    return CameraEventOut.model_validate(event)
