"""Device routes: profiles, devices (credentials shown once, CSV for installers), telemetry, commands,
rules and alarms."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from smartcommune.platform.devices import credentials as creds
from smartcommune.platform.devices import service
from smartcommune.platform.devices.schemas import (
    AlarmOut,
    BulkDevicesIn,
    CommandIn,
    CommandOut,
    DeadLetterOut,
    DeviceCredentialsOut,
    DeviceIn,
    DeviceOut,
    ProfileIn,
    ProfileOut,
    RuleIn,
    RuleOut,
    RulePatch,
    TelemetryOut,
)
from smartcommune.platform.http.auth import CommuneCall, authorize

router = APIRouter(prefix="/api/v1", tags=["devices"])
NO_STORE = {"Cache-Control": "no-store"}


@router.get("/device-profiles", response_model=list[ProfileOut])
def list_profiles(call: CommuneCall = Depends(authorize("devices", "read"))) -> list[ProfileOut]:
    return [ProfileOut.model_validate(p) for p in service.list_profiles(call.db)]


@router.post("/device-profiles", response_model=ProfileOut, status_code=201)
def create_profile(data: ProfileIn, call: CommuneCall = Depends(authorize("devices", "write"))) -> ProfileOut:
    return ProfileOut.model_validate(
        service.create_profile(call.db, data, actor=call.actor, actor_kind=call.actor_kind)
    )


@router.get("/devices", response_model=list[DeviceOut])
def list_devices(call: CommuneCall = Depends(authorize("devices", "read"))) -> list[DeviceOut]:
    return [service.to_out(d) for d in service.list_devices(call.db)]


def _credentials(call: CommuneCall, device: object, secret: str) -> DeviceCredentialsOut:
    assert hasattr(device, "uid")
    return DeviceCredentialsOut(
        device=service.to_out(device),  # type: ignore[arg-type]
        mqtt_username=device.mqtt_username,  # type: ignore[attr-defined]
        mqtt_password=secret,
        topic_root=creds.topic_root(call.tenant.commune_code, device.uid),
    )


@router.post("/devices", response_model=DeviceCredentialsOut, status_code=201)
def create_device(data: DeviceIn, call: CommuneCall = Depends(authorize("devices", "write"))) -> DeviceCredentialsOut:
    """Creates the device and its MQTT credentials; the password is shown in this answer only."""
    ((device, secret),) = service.create_devices(
        call.db, call.tenant, [data], actor=call.actor, actor_kind=call.actor_kind
    )
    return _credentials(call, device, secret)


@router.post("/devices/bulk", response_class=Response, status_code=201)
def create_devices_csv(data: BulkDevicesIn, call: CommuneCall = Depends(authorize("devices", "write"))) -> Response:
    """Many devices at once; answers a CSV for the installer (passwords shown this once)."""
    issued = service.create_devices(call.db, call.tenant, data.devices, actor=call.actor, actor_kind=call.actor_kind)
    return Response(
        content=service.credentials_csv(call.tenant, issued),
        status_code=201,
        media_type="text/csv; charset=utf-8",
        headers={**NO_STORE, "Content-Disposition": "attachment; filename=device-credentials.csv"},
    )


@router.get("/devices/{device_id}", response_model=DeviceOut)
def get_device(device_id: int, call: CommuneCall = Depends(authorize("devices", "read"))) -> DeviceOut:
    return service.to_out(service.get(call.db, device_id))


@router.post("/devices/{device_id}/credentials", response_model=DeviceCredentialsOut)
def rotate_credentials(
    device_id: int, call: CommuneCall = Depends(authorize("devices", "write"))
) -> DeviceCredentialsOut:
    device, secret = service.rotate_credentials(
        call.db, call.tenant, device_id, actor=call.actor, actor_kind=call.actor_kind
    )
    return _credentials(call, device, secret)


@router.get("/devices/{device_id}/telemetry", response_model=list[TelemetryOut])
def telemetry(
    device_id: int,
    limit: int = Query(default=100, ge=1, le=5000),
    call: CommuneCall = Depends(authorize("devices", "read")),
) -> list[TelemetryOut]:
    return [TelemetryOut.model_validate(t) for t in service.recent_telemetry(call.db, device_id, limit)]


@router.post("/devices/{device_id}/commands", response_model=CommandOut, status_code=202)
def send_command(
    device_id: int, data: CommandIn, call: CommuneCall = Depends(authorize("devices", "write"))
) -> CommandOut:
    """RPC over MQTT: published on `rpc/req/{id}` after commit; poll the command for its result."""
    command = service.send_command(call.db, call.tenant, device_id, data, actor=call.actor, actor_kind=call.actor_kind)
    return CommandOut.model_validate(command)


@router.get("/devices/{device_id}/commands", response_model=list[CommandOut])
def command_history(
    device_id: int,
    limit: int = Query(default=100, ge=1, le=1000),
    call: CommuneCall = Depends(authorize("devices", "read")),
) -> list[CommandOut]:
    """The device's commands, newest first: sent by hand (source `user`) or by a rule, with status and result."""
    return [CommandOut.model_validate(c) for c in service.list_commands(call.db, device_id, limit)]


@router.get("/device-commands/{command_id}", response_model=CommandOut)
def get_command(command_id: uuid.UUID, call: CommuneCall = Depends(authorize("devices", "read"))) -> CommandOut:
    return CommandOut.model_validate(service.get_command(call.db, command_id))


@router.get("/device-rules", response_model=list[RuleOut])
def list_rules(call: CommuneCall = Depends(authorize("devices", "read"))) -> list[RuleOut]:
    return [RuleOut.model_validate(r) for r in service.list_rules(call.db)]


@router.post("/device-rules", response_model=RuleOut, status_code=201)
def create_rule(data: RuleIn, call: CommuneCall = Depends(authorize("devices", "write"))) -> RuleOut:
    return RuleOut.model_validate(service.create_rule(call.db, data, actor=call.actor, actor_kind=call.actor_kind))


@router.patch("/device-rules/{rule_id}", response_model=RuleOut)
def update_rule(rule_id: int, patch: RulePatch, call: CommuneCall = Depends(authorize("devices", "write"))) -> RuleOut:
    """Edit a rule (threshold, hysteresis, duration, schedule, enabled…); checked as on creation."""
    rule = service.update_rule(call.db, rule_id, patch, actor=call.actor, actor_kind=call.actor_kind)
    return RuleOut.model_validate(rule)


@router.delete("/device-rules/{rule_id}", status_code=204)
def delete_rule(rule_id: int, call: CommuneCall = Depends(authorize("devices", "write"))) -> Response:
    """Delete a rule; the alarms it raised stay in the history."""
    service.delete_rule(call.db, rule_id, actor=call.actor, actor_kind=call.actor_kind)
    return Response(status_code=204)


@router.get("/device-alarms", response_model=list[AlarmOut])
def list_alarms(
    state: str | None = Query(default=None, pattern="^(active|acknowledged|cleared)$"),
    limit: int = Query(default=100, ge=1, le=1000),
    call: CommuneCall = Depends(authorize("devices", "read")),
) -> list[AlarmOut]:
    return [AlarmOut.model_validate(a) for a in service.list_alarms(call.db, state, limit)]


@router.post("/device-alarms/{alarm_id}/ack", response_model=AlarmOut)
def acknowledge(alarm_id: int, call: CommuneCall = Depends(authorize("devices", "write"))) -> AlarmOut:
    return AlarmOut.model_validate(service.acknowledge(call.db, alarm_id, actor=call.actor, actor_kind=call.actor_kind))


@router.get("/telemetry-dead-letters", response_model=list[DeadLetterOut])
def dead_letters(
    limit: int = Query(default=100, ge=1, le=1000), call: CommuneCall = Depends(authorize("devices", "read"))
) -> list[DeadLetterOut]:
    return [DeadLetterOut.model_validate(d) for d in service.dead_letters(call.db, limit)]
