"""Device rules: profiles, devices and their credentials, telemetry validation, commands, rules, alarms."""

from __future__ import annotations

import csv
import io
import math
import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from sqlalchemy import Connection, delete, func, insert, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from smartcommune.platform.devices import credentials as creds
from smartcommune.platform.devices.models import (
    Alarm,
    DeadLetter,
    Device,
    DeviceCommand,
    DeviceProfile,
    DeviceRule,
    Telemetry,
)
from smartcommune.platform.devices.mqtt import publish_after_commit
from smartcommune.platform.devices.schemas import (
    CommandIn,
    DeviceIn,
    DeviceOut,
    ProfileIn,
    RuleIn,
    RuleOut,
    RulePatch,
)
from smartcommune.platform.inbox.service import Message, notify
from smartcommune.tenants import audit
from smartcommune.tenants.authz.policy import COMMUNE_ADMIN, COMMUNE_OFFICIAL
from smartcommune.tenants.authz.service import holders_of
from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.control.models import DeviceIndex
from smartcommune.tenants.database import app_engine
from smartcommune.tenants.errors import Conflict, InvalidInput, NotFound
from smartcommune.tenants.settings import get_settings

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
RESPONSIBLE_ROLES = (COMMUNE_ADMIN, COMMUNE_OFFICIAL)


def now() -> datetime:
    return datetime.now(UTC)


def _audit(db: Session, actor: str, actor_kind: str, action: str, obj: str, oid: object, **kw: Any) -> None:
    audit.record(db, actor=actor, actor_kind=actor_kind, action=action, object_type=obj, object_id=str(oid), **kw)


# -- profiles -----------------------------------------------------------------------------------------
def list_profiles(db: Session) -> list[DeviceProfile]:
    return list(db.scalars(select(DeviceProfile).order_by(DeviceProfile.id)))


def create_profile(db: Session, data: ProfileIn, *, actor: str, actor_kind: str) -> DeviceProfile:
    if db.scalar(select(DeviceProfile.id).where(DeviceProfile.code == data.code)) is not None:
        raise Conflict(f"Mã hồ sơ '{data.code}' đã có.", f"Profile '{data.code}' exists.", code="profile_code_taken")
    row = DeviceProfile(**data.model_dump(mode="json"))
    db.add(row)
    db.flush()
    _audit(db, actor, actor_kind, "create", "device_profile", row.id, after=data.model_dump(mode="json"))
    return row


def get_profile(db: Session, profile_id: int) -> DeviceProfile:
    row = db.get(DeviceProfile, profile_id)
    if row is None:
        raise NotFound("Không tìm thấy hồ sơ thiết bị.", "Device profile not found.", code="profile_not_found")
    return row


# -- devices and credentials --------------------------------------------------------------------------
def is_online(device: Device, at: datetime | None = None) -> bool:
    if device.last_seen_at is None:
        return False
    return (at or now()) - device.last_seen_at <= timedelta(seconds=get_settings().device_offline_after_s)


def to_out(device: Device) -> DeviceOut:
    out = DeviceOut.model_validate(device)
    out.online = is_online(device)
    return out


def get(db: Session, device_id: int) -> Device:
    device = db.get(Device, device_id)
    if device is None:
        raise NotFound("Không tìm thấy thiết bị.", "Device not found.", code="device_not_found")
    return device


def list_devices(db: Session) -> list[Device]:
    return list(db.scalars(select(Device).order_by(Device.id)))


def _index_upsert(conn: Connection, username: str, commune_code: int, uid: str, password_hash: str) -> None:
    conn.execute(
        text(
            "INSERT INTO control.device_index (username, commune_code, device_uid, password_hash) "
            "VALUES (:u, :c, :d, :h) ON CONFLICT (username) DO UPDATE "
            "SET password_hash = EXCLUDED.password_hash, enabled = true, updated_at = now()"
        ),
        {"u": username, "c": commune_code, "d": uid, "h": password_hash},
    )


def create_devices(
    db: Session, tenant: TenantInfo, items: Sequence[DeviceIn], *, actor: str, actor_kind: str
) -> list[tuple[Device, str]]:
    """Create devices with fresh credentials; returns (device, secret) — the secret is never stored."""
    issued: list[tuple[Device, str, str]] = []
    for data in items:
        get_profile(db, data.profile_id)
        if db.scalar(select(Device.id).where(Device.uid == data.uid)) is not None:
            raise Conflict(f"Mã thiết bị '{data.uid}' đã có.", f"Device '{data.uid}' exists.", code="device_uid_taken")
        secret = creds.new_secret()
        device = Device(
            **data.model_dump(),
            mqtt_username=creds.username_for(tenant.commune_code, data.uid),
            credentials_issued_at=now(),
        )
        db.add(device)
        issued.append((device, secret, creds.hash_secret(secret)))
    try:
        db.flush()
    except IntegrityError as e:
        raise Conflict("Mã thiết bị trùng.", "Duplicate device id.", code="device_uid_taken") from e
    # The broker index lives in control (the commune role cannot write there): its own short transaction.
    with app_engine().begin() as conn:
        for device, _, hashed in issued:
            _index_upsert(conn, device.mqtt_username, tenant.commune_code, device.uid, hashed)
    for device, _, _ in issued:
        _audit(db, actor, actor_kind, "create", "device", device.id, after=to_out(device).model_dump(mode="json"))
    return [(d, s) for d, s, _ in issued]


def rotate_credentials(
    db: Session, tenant: TenantInfo, device_id: int, *, actor: str, actor_kind: str
) -> tuple[Device, str]:
    device = get(db, device_id)
    secret = creds.new_secret()
    with app_engine().begin() as conn:
        _index_upsert(conn, device.mqtt_username, tenant.commune_code, device.uid, creds.hash_secret(secret))
    device.credentials_issued_at = now()
    db.flush()
    _audit(db, actor, actor_kind, "rotate_credentials", "device", device.id, after={"username": device.mqtt_username})
    return device, secret


def credentials_csv(tenant: TenantInfo, issued: Iterable[tuple[Device, str]]) -> str:
    """For the installer: one line per device (shown once)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["serial", "uid", "name", "mqtt_username", "mqtt_password", "topic_root"])
    for device, secret in issued:
        root = creds.topic_root(tenant.commune_code, device.uid)
        writer.writerow([device.serial, device.uid, device.name, device.mqtt_username, secret, root])
    return out.getvalue()


def broker_identities(conn: Connection) -> list[creds.BrokerIdentity]:
    rows = conn.execute(
        select(DeviceIndex.username, DeviceIndex.password_hash, DeviceIndex.commune_code, DeviceIndex.device_uid).where(
            DeviceIndex.enabled.is_(True)
        )
    ).all()
    return [creds.BrokerIdentity(u, h, c, d) for u, h, c, d in rows]


# -- telemetry validation and storage -----------------------------------------------------------------
Limits = dict[str, tuple[float | None, float | None]]  # field name -> (min, max), compiled once per profile
MAX_INT = 2**63  # larger integers do not fit a float exactly (10**400 does not fit one at all)
COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"})
NEEDS_COPY_ESCAPE = re.compile(r"[\\\n\r\t]").search  # a search is 6x cheaper than translating every row


class Rejected(Exception):
    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.detail = detail


def compile_fields(fields: Sequence[dict[str, Any]]) -> Limits:
    return {f["name"]: (f.get("min"), f.get("max")) for f in fields}


def _timestamp(value: Any) -> datetime:
    try:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return datetime.fromtimestamp(float(value), UTC)
        return datetime.fromisoformat(str(value))
    except (ValueError, OverflowError, OSError) as e:
        raise Rejected("bad_timestamp", str(value)[:60]) from e


def validate(limits: Limits, payload: Any) -> tuple[datetime | None, dict[str, float]]:
    """A flat JSON object of numeric fields the profile declares, in range; optional `ts` (epoch s or ISO)."""
    if type(payload) is not dict:
        raise Rejected("not_object")
    ts: datetime | None = None
    values: dict[str, float] = {}
    for key, value in payload.items():
        if key == "ts":
            ts = _timestamp(value)
            continue
        limit = limits.get(key)
        if limit is None:
            raise Rejected("unknown_field", key[:60])
        kind = type(value)
        if kind is float:
            if not math.isfinite(value):
                raise Rejected("not_numeric", key[:60])
        elif kind is int:  # (bool is an int subclass, not an int)
            if not -MAX_INT <= value <= MAX_INT:
                raise Rejected("out_of_range", key[:60])
        else:
            raise Rejected("not_numeric", key[:60])
        low, high = limit
        if (low is not None and value < low) or (high is not None and value > high):
            raise Rejected("out_of_range", f"{key}={value}")
        values[key] = float(value)
    if not values:
        raise Rejected("empty")
    return ts, values


def _copy_telemetry(db: Session, rows: Sequence[tuple[int, datetime, str]]) -> None:
    """COPY the rows into the commune's `telemetry` (search_path is the tenant schema: SET LOCAL).

    The rows go as one block of COPY text (the JSON escaped for it) rather than row by row: formatting
    each row through `write_row` cost more than the COPY itself. Rows stamped in the same read share a
    `datetime` object, so its text is made once."""
    raw = db.connection().connection.driver_connection
    assert raw is not None
    lines: list[str] = []
    last_ts: datetime | None = None
    stamp = ""
    for device_id, ts, data in rows:
        if ts is not last_ts:
            last_ts, stamp = ts, ts.isoformat()
        if NEEDS_COPY_ESCAPE(data):
            data = data.translate(COPY_ESCAPES)
        lines.append(f"{device_id}\t{stamp}\t{data}\n")
    with raw.cursor() as cur, cur.copy("COPY telemetry (device_id, ts, data) FROM STDIN") as copy:
        copy.write("".join(lines))


def store_batch(db: Session, rows: Sequence[tuple[int, datetime, str]], dead: Sequence[dict[str, Any]]) -> None:
    """One COPY for the telemetry rows (device id, time, JSON text), one UPDATE for every device's
    last_seen_at, one INSERT of dead letters."""
    if rows:
        _copy_telemetry(db, rows)
        last: dict[int, datetime] = {}
        for device_id, ts, _ in rows:
            seen = last.get(device_id)
            if seen is None or ts > seen:
                last[device_id] = ts
        ids, stamps = zip(*sorted(last.items()), strict=True)
        db.execute(
            text(
                "UPDATE devices AS d SET last_seen_at = GREATEST(COALESCE(d.last_seen_at, v.ts), v.ts)"
                " FROM unnest(CAST(:ids AS bigint[]), CAST(:stamps AS timestamptz[])) AS v(id, ts)"
                " WHERE d.id = v.id"
            ),
            {"ids": list(ids), "stamps": list(stamps)},
        )
    if dead:
        db.execute(insert(DeadLetter), list(dead))


def recent_telemetry(db: Session, device_id: int, limit: int) -> list[Telemetry]:
    get(db, device_id)
    query = select(Telemetry).where(Telemetry.device_id == device_id).order_by(Telemetry.ts.desc()).limit(limit)
    return list(db.scalars(query))


def dead_letters(db: Session, limit: int) -> list[DeadLetter]:
    return list(db.scalars(select(DeadLetter).order_by(DeadLetter.id.desc()).limit(limit)))


# -- commands -----------------------------------------------------------------------------------------
_TYPE_VI = {"number": "một số", "integer": "một số nguyên", "boolean": "có/không", "text": "chữ"}


def field_label(profile: DeviceProfile | None, field: str) -> tuple[str, str]:
    """The display name and unit of a telemetry field (its technical name when the profile has no label)."""
    spec = next((f for f in (profile.fields if profile else []) if f.get("name") == field), None)
    return ((spec or {}).get("label") or field, (spec or {}).get("unit") or "")


def _reading(value: float, unit: str) -> str:
    text = f"{value:g}".replace(".", ",")
    return f"{text} {unit}".strip()


def list_commands(db: Session, device_id: int, limit: int = 100) -> list[DeviceCommand]:
    """A device's command history, newest first: manual ones and those its rules sent, with their result."""
    get(db, device_id)
    q = (
        select(DeviceCommand)
        .where(DeviceCommand.device_id == device_id)
        .order_by(DeviceCommand.requested_at.desc())
        .limit(limit)
    )
    return list(db.scalars(q))


def _validate_command(profile: DeviceProfile, data: CommandIn) -> int:
    spec = next((c for c in profile.commands if c["name"] == data.name), None)
    if spec is None:
        raise InvalidInput(
            f"Thiết bị không hỗ trợ lệnh '{data.name}'.",
            f"The device does not support command '{data.name}'.",
            code="unknown_command",
        )
    params: dict[str, Any] = spec.get("params", {})
    for name in data.params:
        if name not in params:
            raise InvalidInput(f"Tham số lạ: {name}.", f"Unknown parameter: {name}.", code="unknown_parameter")
    for name, p in params.items():
        value = data.params.get(name)
        if value is None:
            if p.get("required", True):
                raise InvalidInput(
                    f"Thiếu tham số {p.get('label') or name}.",
                    f"Missing parameter {name}.",
                    code="missing_parameter",
                    parameter=name,
                )
            continue
        kind = p.get("type", "number")
        numeric = isinstance(value, int | float) and not isinstance(value, bool)
        fits = {
            "number": numeric,
            "integer": numeric and float(value) == int(value),
            "boolean": isinstance(value, bool),
            "text": isinstance(value, str),
        }.get(kind, True)
        if not fits:
            raise InvalidInput(
                f"Tham số {p.get('label') or name} phải là {_TYPE_VI.get(kind, kind)}.",
                f"Parameter {name} must be a {kind}.",
                code="parameter_type",
                parameter=name,
                expected=kind,
            )
        low = p.get("min") is not None and numeric and value < p["min"]
        high = p.get("max") is not None and numeric and value > p["max"]
        if low or high:
            raise InvalidInput(
                f"Tham số {name} ngoài giới hạn.", f"Parameter {name} out of range.", code="parameter_out_of_range"
            )
    return int(data.timeout_s or spec.get("timeout_s", 30))


def send_command(
    db: Session,
    tenant: TenantInfo,
    device_id: int,
    data: CommandIn,
    *,
    actor: str,
    actor_kind: str,
    source: str = "user",
) -> DeviceCommand:
    """Record, audit, and publish on `rpc/req/{id}` once the transaction commits."""
    device = get(db, device_id)
    timeout_s = _validate_command(get_profile(db, device.profile_id), data)
    command = DeviceCommand(
        id=uuid.uuid4(),
        device_id=device.id,
        name=data.name,
        params=dict(data.params),
        status="sent",
        source=source,
        requested_by=actor,
        timeout_s=timeout_s,
        requested_at=now(),
    )
    db.add(command)
    db.flush()
    _audit(
        db,
        actor,
        actor_kind,
        "command",
        "device",
        device.id,
        after={"command_id": str(command.id), "name": data.name, "params": command.params, "source": source},
    )
    topic = f"{creds.topic_root(tenant.commune_code, device.uid)}/rpc/req/{command.id}"
    publish_after_commit(
        db, topic, {"id": str(command.id), "method": data.name, "params": command.params, "timeout_s": timeout_s}
    )
    return command


def get_command(db: Session, command_id: uuid.UUID) -> DeviceCommand:
    row = db.get(DeviceCommand, command_id)
    if row is None:
        raise NotFound("Không tìm thấy lệnh.", "Command not found.", code="command_not_found")
    return row


def record_result(db: Session, command_id: uuid.UUID, device_uid: str, payload: Any) -> bool:
    """A device answered on `rpc/res/{id}`; only the device the command was sent to may answer it."""
    command = db.get(DeviceCommand, command_id)
    if command is None or command.status not in ("sent", "pending"):
        return False
    device = db.get(Device, command.device_id)
    if device is None or device.uid != device_uid:
        return False
    ok = isinstance(payload, dict) and payload.get("ok", True) is not False and "error" not in payload
    command.status = "succeeded" if ok else "failed"
    command.responded_at = now()
    command.result = payload if isinstance(payload, dict) else {"value": payload}
    device.last_seen_at = now()
    _audit(
        db,
        "device:" + device_uid,
        "device",
        "command_result",
        "device",
        device.id,
        after={"command_id": str(command_id), "status": command.status},
    )
    return True


def expire_commands(db: Session) -> int:
    """Commands past their timeout without an answer become `timeout`, each audited (as every command is)."""
    expired = db.execute(
        update(DeviceCommand)
        .where(
            DeviceCommand.status.in_(("sent", "pending")),
            DeviceCommand.requested_at + func.make_interval(0, 0, 0, 0, 0, 0, DeviceCommand.timeout_s) < func.now(),
        )
        .values(status="timeout", responded_at=func.now())
        .returning(DeviceCommand.id, DeviceCommand.device_id, DeviceCommand.name)
    ).all()
    for command_id, device_id, name in expired:
        _audit(
            db,
            "system:command-timeout",
            "system",
            "command_timeout",
            "device",
            device_id,
            after={"command_id": str(command_id), "name": name, "status": "timeout"},
        )
    return len(expired)


# -- rules and alarms ---------------------------------------------------------------------------------
def _check_rule_refs(db: Session, data: RuleIn) -> None:
    """The devices a rule names exist in this commune and its command fits the target's profile."""
    for ref in (data.sensor_device_id, data.target_device_id, data.rain_device_id):
        if ref is not None:
            get(db, ref)
    for device_id, field in ((data.sensor_device_id, data.field), (data.rain_device_id, data.rain_field)):
        if device_id is None or not field:
            continue
        profile = get_profile(db, get(db, device_id).profile_id)
        if not any(f.get("name") == field for f in profile.fields):
            raise InvalidInput(
                f"Thiết bị đã chọn không đo '{field}' (hồ sơ '{profile.name}').",
                f"The chosen device does not measure '{field}'.",
                code="unknown_field",
                field=field,
            )
    if data.target_device_id is not None and data.command:
        target = get(db, data.target_device_id)
        params: dict[str, float | int | str | bool] = dict(data.params)
        if data.kind == "schedule" and data.duration_min is not None:
            params["minutes"] = data.duration_min
        _validate_command(get_profile(db, target.profile_id), CommandIn(name=data.command, params=params))


def create_rule(db: Session, data: RuleIn, *, actor: str, actor_kind: str) -> DeviceRule:
    _check_rule_refs(db, data)
    rule = DeviceRule(**data.model_dump())
    db.add(rule)
    db.flush()
    _audit(
        db,
        actor,
        actor_kind,
        "create",
        "device_rule",
        rule.id,
        after=RuleOut.model_validate(rule).model_dump(mode="json"),
    )
    return rule


def list_rules(db: Session) -> list[DeviceRule]:
    return list(db.scalars(select(DeviceRule).order_by(DeviceRule.id)))


def get_rule(db: Session, rule_id: int) -> DeviceRule:
    rule = db.get(DeviceRule, rule_id)
    if rule is None:
        raise NotFound("Không tìm thấy quy tắc.", "Rule not found.", code="rule_not_found")
    return rule


def update_rule(db: Session, rule_id: int, patch: RulePatch, *, actor: str, actor_kind: str) -> DeviceRule:
    """Edits a rule: the patch is merged into the rule and the whole checked again as on creation."""
    rule = get_rule(db, rule_id)
    before = RuleOut.model_validate(rule).model_dump(mode="json")
    merged = {name: getattr(rule, name) for name in RuleIn.model_fields} | patch.model_dump(exclude_unset=True)
    try:
        data = RuleIn.model_validate(merged)
    except ValidationError as e:
        problems = [{"field": ".".join(str(p) for p in err["loc"]), "problem": err["msg"]} for err in e.errors()]
        raise InvalidInput(
            "Quy tắc chưa hợp lệ.", "The rule is invalid.", code="invalid_rule", problems=problems
        ) from e
    _check_rule_refs(db, data)
    for name, value in data.model_dump().items():
        setattr(rule, name, value)
    if not rule.enabled and rule.state == "pending":  # a disabled rule waits for nothing
        rule.state, rule.pending_since = "ok", None
    db.flush()
    after = RuleOut.model_validate(rule).model_dump(mode="json")
    _audit(db, actor, actor_kind, "update", "device_rule", rule.id, before=before, after=after)
    return rule


def delete_rule(db: Session, rule_id: int, *, actor: str, actor_kind: str) -> None:
    """Deletes a rule; the alarms it raised stay (their rule link is cleared by the database)."""
    rule = get_rule(db, rule_id)
    before = RuleOut.model_validate(rule).model_dump(mode="json")
    db.delete(rule)
    db.flush()
    _audit(db, actor, actor_kind, "delete", "device_rule", rule_id, before=before)


def list_alarms(db: Session, state: str | None, limit: int) -> list[Alarm]:
    query = select(Alarm).order_by(Alarm.id.desc()).limit(limit)
    if state:
        query = query.where(Alarm.state == state)
    return list(db.scalars(query))


def acknowledge(db: Session, alarm_id: int, *, actor: str, actor_kind: str) -> Alarm:
    alarm = db.get(Alarm, alarm_id)
    if alarm is None:
        raise NotFound("Không tìm thấy cảnh báo.", "Alarm not found.", code="alarm_not_found")
    if alarm.state != "active":
        raise Conflict("Cảnh báo không còn hoạt động.", "The alarm is not active.", code="alarm_not_active")
    alarm.state, alarm.acknowledged_by, alarm.acknowledged_at = "acknowledged", actor, now()
    db.flush()
    _audit(db, actor, actor_kind, "acknowledge", "alarm", alarm.id, after={"state": alarm.state})
    return alarm


def _notify(
    db: Session,
    tenant: TenantInfo,
    title: str,
    body: str,
    source_id: int,
    priority: str = "high",
    source_type: str = "device_rule",
) -> None:
    recipients = holders_of(app_engine(), tenant.commune_code, RESPONSIBLE_ROLES)
    notify(
        db,
        recipients,
        Message(
            kind="device_alarm",
            title=title,
            body=body,
            priority=priority,
            source_type=source_type,
            source_id=str(source_id),
        ),
    )


def _run_rule_command(db: Session, tenant: TenantInfo, rule: DeviceRule, source: str, extra: dict[str, Any]) -> None:
    if rule.target_device_id is None or not rule.command:
        return
    params = {**rule.params, **extra}
    send_command(
        db,
        tenant,
        rule.target_device_id,
        CommandIn(name=rule.command, params=params),
        actor=f"rule:{rule.id}",
        actor_kind="system",
        source=source,
    )


def evaluate_thresholds(
    db: Session, tenant: TenantInfo, samples: Sequence[tuple[int, datetime, dict[str, float]]]
) -> int:
    """Threshold rules with duration and hysteresis, fed in time order. Returns how many rules fired."""
    device_ids = {d for d, _, _ in samples}
    if not device_ids:
        return 0
    rules = list(
        db.scalars(
            select(DeviceRule)
            .where(
                DeviceRule.kind == "threshold",
                DeviceRule.enabled.is_(True),
                DeviceRule.sensor_device_id.in_(device_ids),
            )
            .with_for_update()
        )
    )
    fired = 0
    sensors = {d.id: d for d in db.scalars(select(Device).where(Device.id.in_(device_ids)))}
    profiles = {p.id: p for p in db.scalars(select(DeviceProfile))} if rules else {}
    for rule in rules:
        sensor = sensors.get(rule.sensor_device_id or 0)
        name, unit = field_label(profiles.get(sensor.profile_id) if sensor else None, rule.field or "")
        for device_id, ts, values in sorted((s for s in samples if s[0] == rule.sensor_device_id), key=lambda s: s[1]):
            value = values.get(rule.field or "")
            if value is None:
                continue
            assert rule.threshold is not None and rule.clear_threshold is not None
            breached = value < rule.threshold if rule.op == "below" else value > rule.threshold
            cleared = value >= rule.clear_threshold if rule.op == "below" else value <= rule.clear_threshold
            if rule.state in ("ok", "pending") and breached:
                if rule.pending_since is None:
                    rule.state, rule.pending_since = "pending", ts
                if (ts - rule.pending_since).total_seconds() >= rule.duration_s:
                    rule.state, rule.last_outcome = "firing", "fired"
                    fired += 1
                    db.add(
                        Alarm(
                            device_id=device_id,
                            rule_id=rule.id,
                            severity="warning",
                            value=value,
                            message=f"{rule.name}: {name} = {_reading(value, unit)}"[:300],
                        )
                    )
                    _run_rule_command(db, tenant, rule, "rule", {})
                    if rule.notify:
                        _notify(
                            db,
                            tenant,
                            f"Cảnh báo / Alarm: {rule.name}",
                            f"{name} = {_reading(value, unit)} ({'<' if rule.op == 'below' else '>'} "
                            f"{_reading(rule.threshold, unit)})",
                            rule.id,
                        )
            elif rule.state == "pending" and not breached:
                rule.state, rule.pending_since = "ok", None
            elif rule.state == "firing" and cleared:
                rule.state, rule.pending_since, rule.last_outcome = "ok", None, "cleared"
                db.execute(
                    update(Alarm)
                    .where(Alarm.rule_id == rule.id, Alarm.state.in_(("active", "acknowledged")))
                    .values(state="cleared", cleared_at=ts)
                )
    db.flush()
    return fired


@dataclass(frozen=True, slots=True)
class ProfileAlarm:
    """A device profile's alarm rule, compiled once per profile."""

    key: str  # stored on the alarms it raises
    field: str
    below: bool
    threshold: float
    severity: str
    label: str = ""  # the field's display name and unit (issue 15: no technical names in alarms)
    unit: str = ""


def compile_alarms(rules: Sequence[dict[str, Any]], fields: Sequence[dict[str, Any]] = ()) -> tuple[ProfileAlarm, ...]:
    specs = {f.get("name"): f for f in fields}
    return tuple(
        ProfileAlarm(
            f"{r['field']}:{r['op']}:{float(r['threshold']):g}"[:100],
            r["field"],
            r["op"] == "below",
            float(r["threshold"]),
            r.get("severity", "warning"),
            (specs.get(r["field"]) or {}).get("label") or r["field"],
            (specs.get(r["field"]) or {}).get("unit") or "",
        )
        for r in rules
    )


AlarmSample = tuple[int, str, datetime, dict[str, float], tuple[ProfileAlarm, ...]]  # id, uid, time, values, rules


def evaluate_profile_alarms(db: Session, tenant: TenantInfo, samples: Sequence[AlarmSample]) -> int:
    """Profile alarm rules, fed in time order: a value past the threshold raises one alarm per (device, rule)
    and notifies the responsible officials; the first value back on the right side clears it. Returns how
    many alarms were raised."""
    device_ids = {s[0] for s in samples}
    open_alarms = {
        (a.device_id, a.profile_rule): a
        for a in db.scalars(
            select(Alarm).where(
                Alarm.device_id.in_(device_ids),
                Alarm.profile_rule.is_not(None),
                Alarm.state.in_(("active", "acknowledged")),
            )
        )
    }
    raised = 0
    for device_id, uid, ts, values, rules in sorted(samples, key=lambda s: s[2]):
        for rule in rules:
            value = values.get(rule.field)
            if value is None:
                continue
            breached = value < rule.threshold if rule.below else value > rule.threshold
            alarm = open_alarms.get((device_id, rule.key))
            if breached and alarm is None:
                sign = "<" if rule.below else ">"
                alarm = Alarm(
                    device_id=device_id,
                    profile_rule=rule.key,
                    severity=rule.severity,
                    value=value,
                    message=(
                        f"{uid}: {rule.label or rule.field} = {_reading(value, rule.unit)} "
                        f"({sign} {_reading(rule.threshold, rule.unit)})"
                    )[:300],
                )
                db.add(alarm)
                open_alarms[(device_id, rule.key)] = alarm
                raised += 1
                _notify(
                    db,
                    tenant,
                    f"Cảnh báo thiết bị / Device alarm: {uid}",
                    alarm.message,
                    device_id,
                    priority="high" if rule.severity == "critical" else "normal",
                    source_type="device",
                )
            elif not breached and alarm is not None:
                alarm.state, alarm.cleared_at = "cleared", ts
                del open_alarms[(device_id, rule.key)]
    db.flush()
    return raised


def _rained(db: Session, rule: DeviceRule, at: datetime) -> float:
    if rule.rain_device_id is None or not rule.rain_field:
        return 0.0
    since = at - timedelta(hours=rule.rain_window_h)
    value = db.scalar(
        select(func.coalesce(func.max(Telemetry.data[rule.rain_field].as_float()), 0.0)).where(
            Telemetry.device_id == rule.rain_device_id, Telemetry.ts >= since, Telemetry.ts <= at
        )
    )
    return float(value or 0.0)


def run_schedules(db: Session, tenant: TenantInfo, at: datetime | None = None) -> list[tuple[int, str]]:
    """Daily schedules due at `at` (local time) that have not run today: irrigate unless it rained."""
    at = at or now()
    local = at.astimezone(LOCAL_TZ)
    outcomes: list[tuple[int, str]] = []
    rules = db.scalars(
        select(DeviceRule).where(DeviceRule.kind == "schedule", DeviceRule.enabled.is_(True)).with_for_update()
    )
    for rule in rules:
        assert rule.time_of_day is not None
        hh, mm = (int(x) for x in rule.time_of_day.split(":"))
        due = local.replace(hour=hh, minute=mm, second=0, microsecond=0)
        if local < due or local - due > timedelta(hours=1) or rule.last_run_on == local.date():
            continue
        rule.last_run_on = local.date()
        rain = _rained(db, rule, at)
        if rule.rain_threshold is not None and rain >= rule.rain_threshold:
            rule.last_outcome = "skipped_rain"
        else:
            _run_rule_command(db, tenant, rule, "schedule", {"minutes": rule.duration_min or 0})
            rule.last_outcome = "ran"
        outcomes.append((rule.id, rule.last_outcome))
    db.flush()
    return outcomes


def counts(db: Session) -> dict[str, int]:
    threshold = now() - timedelta(seconds=get_settings().device_offline_after_s)
    total = int(db.scalar(select(func.count()).select_from(Device)) or 0)
    online = int(db.scalar(select(func.count()).where(Device.last_seen_at >= threshold)) or 0)
    alarms = int(db.scalar(select(func.count()).where(Alarm.state == "active")) or 0)
    return {"total": total, "online": online, "offline": total - online, "active_alarms": alarms}


def forget_index(commune_code: int) -> None:
    """Drop a commune's broker identities (commune deleted)."""
    with app_engine().begin() as conn:
        conn.execute(delete(DeviceIndex).where(DeviceIndex.commune_code == commune_code))


# -- presence -------------------------------------------------------------------------------------------
def update_presence(db: Session, tenant: TenantInfo, at: datetime | None = None) -> list[tuple[int, str, str]]:
    """Online/offline by inactivity timeout (`DEVICE_OFFLINE_AFTER_S`); notify officials on each change.

    Returns (device id, previous, new) for the devices whose presence changed. A device never heard from
    stays `unknown`; its first message makes it `online` without a notification (nothing was lost)."""
    at = at or now()
    timeout_s = get_settings().device_offline_after_s
    threshold = at - timedelta(seconds=timeout_s)
    changes: list[tuple[int, str, str, str]] = []
    for device_id, name, presence, last_seen in db.execute(
        select(Device.id, Device.name, Device.presence, Device.last_seen_at).with_for_update(skip_locked=True)
    ):
        if last_seen is None:
            continue
        new = "online" if last_seen >= threshold else "offline"
        if new != presence:
            changes.append((device_id, name, presence, new))
    for new in ("online", "offline"):
        ids = [c[0] for c in changes if c[3] == new]
        if ids:
            db.execute(update(Device).where(Device.id.in_(ids)).values(presence=new, presence_changed_at=at))
    notable = [c for c in changes if not (c[2] == "unknown" and c[3] == "online")]
    if notable:
        recipients = holders_of(app_engine(), tenant.commune_code, RESPONSIBLE_ROLES)
        minutes = max(1, timeout_s // 60)
        for device_id, name, _previous, new in notable:
            offline = new == "offline"
            notify(
                db,
                recipients,
                Message(
                    kind="device_presence",
                    code="device_offline" if offline else "device_online",
                    params={"name": name, "minutes": minutes},
                    priority="high" if offline else "normal",
                    source_type="device",
                    source_id=str(device_id),
                ),
            )
    return [(device_id, previous, new) for device_id, _, previous, new in changes]
