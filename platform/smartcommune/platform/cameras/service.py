"""Camera rules: registry, site networks, probe/snapshot now, health status, events and incidents."""

from __future__ import annotations

import ipaddress
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy import update as sql_update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from smartcommune.platform.cameras import secrets
from smartcommune.platform.cameras.models import Camera, CameraEvent, SiteNetwork
from smartcommune.platform.cameras.probe import ProbeResult, probe_target
from smartcommune.platform.cameras.schemas import (
    CameraEventOut,
    CameraIn,
    CameraOut,
    CameraPatch,
    OnvifDiscoveredOut,
    OnvifDiscoverIn,
    OnvifDiscoveryOut,
    PromoteIn,
    SiteNetworkIn,
)
from smartcommune.platform.files.models import StoredFile
from smartcommune.platform.files.service import PHOTO, store_upload
from smartcommune.platform.files.storage import FileMissing, get_file_store
from smartcommune.platform.inbox.service import Message, notify
from smartcommune.platform.netguard import (
    GuardedTarget,
    IPNetwork,
    UrlRefused,
    check_address,
    guard_url,
    parse_networks,
    reason_message,
    site_network_refusal,
    strip_credentials,
)
from smartcommune.tenants import audit
from smartcommune.tenants.authz.policy import COMMUNE_ADMIN, COMMUNE_OFFICIAL
from smartcommune.tenants.authz.service import holders_of
from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.control.models import SiteNetworkRequest
from smartcommune.tenants.database import app_engine
from smartcommune.tenants.errors import Conflict, InvalidInput, NotFound
from smartcommune.tenants.settings import get_settings

RESPONSIBLE_ROLES = (COMMUNE_ADMIN, COMMUNE_OFFICIAL)
STATUS_VI = {"online": "trực tuyến", "degraded": "chập chờn", "offline": "mất kết nối", "unknown": "chưa rõ"}


def now() -> datetime:
    return datetime.now(UTC)


def to_out(camera: Camera) -> CameraOut:
    out = CameraOut.model_validate(camera)
    out.has_credentials = bool(camera.username_enc or camera.password_enc)
    if camera.last_frame_at is not None:
        out.last_frame_age_s = round((now() - camera.last_frame_at).total_seconds(), 1)
    return out


def _snapshot(camera: Camera) -> dict[str, object]:
    return to_out(camera).model_dump(
        mode="json", exclude={"last_frame_age_s", "last_checked_at", "last_frame_at", "last_probe_ms"}
    )


def _audit(db: Session, actor: str, actor_kind: str, action: str, obj: str, oid: object, **kw: object) -> None:
    audit.record(
        db,
        actor=actor,
        actor_kind=actor_kind,
        action=action,
        object_type=obj,
        object_id=str(oid),
        **kw,  # type: ignore[arg-type]
    )


# -- site networks ------------------------------------------------------------------------------------
# The allow-list lives in the commune's `site_networks`; only the provider writes it (an approved
# request, or a provisioning manifest). Commune admins request a network (control.site_network_requests).
SITE_REQUEST_STATUSES = ("pending", "approved", "refused", "revoked")


def allow_list(db: Session) -> list[IPNetwork]:
    """The commune's approved site networks; a stored one that breaks today's rules is ignored."""
    return [net for net in parse_networks(db.scalars(select(SiteNetwork.cidr))) if site_network_refusal(net) is None]


def list_site_networks(db: Session) -> list[SiteNetwork]:
    return list(db.scalars(select(SiteNetwork).order_by(SiteNetwork.id)))


def checked_site_network(cidr: str) -> IPNetwork:
    """Parse and check a site network against the rules (netguard.site_network_refusal); 422 otherwise."""
    (net,) = parse_networks([cidr])
    if net.prefixlen < (8 if net.version == 4 else 32):
        raise InvalidInput("Dải mạng quá rộng.", "The network is too wide.", code="cidr_too_wide", cidr=str(net))
    reason = site_network_refusal(net)
    if reason is not None:
        vi, en = reason_message(reason)
        raise InvalidInput(
            f"Không thể dùng {net} làm mạng nội bộ camera: dải này là {vi}.",
            f"{net} cannot be a camera site network: it is {en}.",
            code="site_network_forbidden",
            cidr=str(net),
            reason=reason,
        )
    return net


def add_site_network(db: Session, data: SiteNetworkIn, *, actor: str, actor_kind: str) -> SiteNetwork:
    """Write an approved network into the allow-list (provider only: approvals and provisioning)."""
    net = checked_site_network(data.cidr)
    row = SiteNetwork(cidr=str(net), note=data.note)
    db.add(row)
    try:
        with db.begin_nested():
            db.flush()
    except IntegrityError as e:
        raise Conflict("Dải mạng đã có.", "The network is already allow-listed.", code="site_network_exists") from e
    _audit(db, actor, actor_kind, "create", "site_network", row.id, after={"cidr": row.cidr, "note": row.note})
    return row


def delete_site_network(
    db: Session, network_id: int, *, actor: str, actor_kind: str, tenant: TenantInfo | None = None
) -> None:
    row = db.get(SiteNetwork, network_id)
    if row is None:
        raise NotFound("Không tìm thấy dải mạng.", "Site network not found.", code="site_network_not_found")
    _audit(db, actor, actor_kind, "delete", "site_network", row.id, before={"cidr": row.cidr, "note": row.note})
    if tenant is not None:
        with Session(app_engine()) as control, control.begin():
            control.execute(
                sql_update(SiteNetworkRequest)
                .where(
                    SiteNetworkRequest.tenant_id == tenant.id,
                    SiteNetworkRequest.cidr == row.cidr,
                    SiteNetworkRequest.status == "approved",
                )
                .values(status="revoked", decided_by=actor, decided_at=now())
            )
    db.delete(row)
    db.flush()


def list_site_network_requests(tenant: TenantInfo) -> list[SiteNetworkRequest]:
    with Session(app_engine(), expire_on_commit=False) as control:
        query = (
            select(SiteNetworkRequest)
            .where(SiteNetworkRequest.tenant_id == tenant.id)
            .order_by(SiteNetworkRequest.id.desc())
            .limit(200)
        )
        return list(control.scalars(query))


def request_site_network(
    db: Session, tenant: TenantInfo, data: SiteNetworkIn, *, actor: str, actor_kind: str
) -> SiteNetworkRequest:
    """A commune admin asks the provider to approve a private network of the site (checked first)."""
    net = checked_site_network(data.cidr)
    with Session(app_engine(), expire_on_commit=False) as control, control.begin():
        open_one = control.scalar(
            select(SiteNetworkRequest.id).where(
                SiteNetworkRequest.tenant_id == tenant.id,
                SiteNetworkRequest.cidr == str(net),
                SiteNetworkRequest.status.in_(("pending", "approved")),
            )
        )
        if open_one is not None:
            raise Conflict(
                "Dải mạng này đã được yêu cầu hoặc đã được duyệt.",
                "This network has already been requested or approved.",
                code="site_network_requested",
            )
        row = SiteNetworkRequest(
            tenant_id=tenant.id,
            commune_code=tenant.commune_code,
            cidr=str(net),
            note=data.note,
            status="pending",
            requested_by=actor[:120],
        )
        control.add(row)
        control.flush()
    _audit(db, actor, actor_kind, "request", "site_network_request", row.id, after={"cidr": row.cidr, "note": row.note})
    return row


# -- registry -----------------------------------------------------------------------------------------
def get(db: Session, camera_id: int) -> Camera:
    camera = db.get(Camera, camera_id)
    if camera is None:
        raise NotFound("Không tìm thấy camera.", "Camera not found.", code="camera_not_found")
    return camera


def list_cameras(db: Session, status: str | None = None) -> list[Camera]:
    query = select(Camera).order_by(Camera.id)
    if status:
        query = query.where(Camera.status == status)
    return list(db.scalars(query))


def _set_url(db: Session, camera: Camera, url: str, username: str | None, password: str | None) -> None:
    """Credentials in the URL move to the encrypted fields; the stored URL never carries them."""
    clean, url_user, url_password = strip_credentials(url)
    guard_url(clean, allow_list(db))  # refuse now, with the reason, rather than at the first probe
    camera.stream_url = clean
    user = username if username is not None else url_user
    pw = password if password is not None else url_password
    if user is not None or pw is not None:
        camera.username_enc = secrets.encrypt(user)
        camera.password_enc = secrets.encrypt(pw)


def create(db: Session, data: CameraIn, *, actor: str, actor_kind: str) -> Camera:
    values = data.model_dump(exclude={"stream_url", "username", "password"})
    camera = Camera(**values, status="unknown")
    _set_url(db, camera, data.stream_url, data.username, data.password)
    db.add(camera)
    db.flush()
    _audit(db, actor, actor_kind, "create", "camera", camera.id, after=_snapshot(camera))
    return camera


FIRST_CHECK_TASK = "smartcommune.platform.cameras.tasks.first_check"


def schedule_first_check(db: Session, tenant: TenantInfo, camera: Camera) -> None:
    """A new camera is checked in the background right after it is saved (status, snapshot)."""
    from smartcommune.platform.worker.outbox import enqueue_after_commit

    enqueue_after_commit(db, FIRST_CHECK_TASK, tenant.commune_code, camera.id)


def update(db: Session, camera_id: int, patch: CameraPatch, *, actor: str, actor_kind: str) -> Camera:
    camera = get(db, camera_id)
    before = _snapshot(camera)
    changes = patch.model_dump(exclude_unset=True)
    url = changes.pop("stream_url", None)
    username = changes.pop("username", None)
    password = changes.pop("password", None)
    for key, value in changes.items():
        setattr(camera, key, value)
    if url is not None:
        _set_url(db, camera, url, username, password)
    elif "username" in patch.model_fields_set or "password" in patch.model_fields_set:
        if "username" in patch.model_fields_set:
            camera.username_enc = secrets.encrypt(username)
        if "password" in patch.model_fields_set:
            camera.password_enc = secrets.encrypt(password)
    camera.updated_at = now()
    db.flush()
    after = _snapshot(camera)
    if "password" in patch.model_fields_set or "username" in patch.model_fields_set:
        after["credentials_changed"] = True  # that they changed, never what they are
    _audit(db, actor, actor_kind, "update", "camera", camera.id, before=before, after=after)
    return camera


# -- probing ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ProbeJob:
    """What a probe needs, detached from the session (sweeps probe outside any transaction)."""

    camera_id: int
    url: str
    username: str | None
    password: str | None
    allow: tuple[IPNetwork, ...]


def probe_job(db: Session, camera: Camera, allow: Sequence[IPNetwork] | None = None) -> ProbeJob:
    return ProbeJob(
        camera.id,
        camera.stream_url,
        secrets.decrypt(camera.username_enc),
        secrets.decrypt(camera.password_enc),
        tuple(allow if allow is not None else allow_list(db)),
    )


def run_probe(job: ProbeJob, frames: int = 5) -> ProbeResult:
    try:
        target: GuardedTarget = guard_url(job.url, job.allow)
    except UrlRefused as e:
        return ProbeResult(False, "refused", 0.0, detail=str(e.details.get("reason")))
    return probe_target(target, username=job.username, password=job.password, frames=frames)


def status_for(result: ProbeResult) -> tuple[str, str | None]:
    if not result.ok:
        return "offline", result.reason
    if result.elapsed_ms > get_settings().camera_degraded_after_ms:
        return "degraded", "slow"
    if result.fps is not None and result.fps < 1:
        return "degraded", "low_fps"
    return "online", None


def store_snapshot(db: Session, tenant: TenantInfo, camera: Camera, jpeg: bytes, *, actor: str) -> StoredFile:
    row = store_upload(
        db, tenant, filename=f"camera-{camera.id}.jpg", data=jpeg, purpose="camera_snapshot", actor=actor, rules=PHOTO
    )
    return row


def apply_result(
    db: Session, tenant: TenantInfo, camera: Camera, result: ProbeResult, *, actor: str, keep_snapshot: bool
) -> StoredFile | None:
    """Record a probe on the camera; a status change notifies the responsible officials."""
    at = now()
    camera.last_checked_at = at
    camera.last_probe_ms = round(result.elapsed_ms, 1)
    snapshot: StoredFile | None = None
    if result.ok:
        camera.last_frame_at = at
        camera.width, camera.height, camera.fps = result.width, result.height, result.fps
        camera.codec = result.codec
        if keep_snapshot and (jpeg := result.snapshot_jpeg()) is not None:
            snapshot = store_snapshot(db, tenant, camera, jpeg, actor=actor)
            camera.snapshot_file_id = snapshot.id
    status, reason = status_for(result)
    changed = status != camera.status
    previous = camera.status
    camera.status, camera.status_reason = status, reason
    if changed:
        camera.status_changed_at = at
        notify_status_change(db, tenant, camera, previous)
    db.flush()
    return snapshot


def notify_status_change(db: Session, tenant: TenantInfo, camera: Camera, previous: str) -> None:
    if previous == "unknown" and camera.status == "online":
        return  # first successful probe: nothing to tell
    recipients = holders_of(app_engine(), tenant.commune_code, RESPONSIBLE_ROLES)
    notify(
        db,
        recipients,
        Message(
            kind="camera_status",
            code="camera_status",
            params={"name": camera.name, "status": camera.status, "reason": camera.status_reason or "-"},
            link=f"/cameras/{camera.id}",
            priority="high" if camera.status == "offline" else "normal",
            source_type="camera",
            source_id=str(camera.id),
            data={"previous": previous, "status": camera.status, "reason": camera.status_reason},
        ),
    )


def probe_now(
    db: Session, tenant: TenantInfo, camera_id: int, *, actor: str, actor_kind: str, frames: int = 5
) -> tuple[Camera, ProbeResult, StoredFile | None]:
    camera = get(db, camera_id)
    result = run_probe(probe_job(db, camera), frames=frames)
    snapshot = apply_result(db, tenant, camera, result, actor=actor, keep_snapshot=True)
    record_probe(db, camera, result, actor=actor, actor_kind=actor_kind, frames=frames)
    return camera, result, snapshot


def record_probe(db: Session, camera: Camera, result: ProbeResult, *, actor: str, actor_kind: str, frames: int) -> None:
    _audit(
        db,
        actor,
        actor_kind,
        "probe" if frames > 1 else "snapshot",
        "camera",
        camera.id,
        after={"ok": result.ok, "reason": result.reason, "status": camera.status, "ms": round(result.elapsed_ms)},
    )


def latest_snapshot(db: Session, camera_id: int) -> uuid.UUID:
    camera = get(db, camera_id)
    if camera.snapshot_file_id is None:
        raise NotFound("Camera chưa có ảnh chụp.", "The camera has no snapshot yet.", code="snapshot_not_found")
    return camera.snapshot_file_id


# -- preview ------------------------------------------------------------------------------------------
def preview_id(camera_id: int) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"smartcommune:camera-preview:{camera_id}")


def put_preview(tenant: TenantInfo, camera_id: int, jpeg: bytes) -> None:
    get_file_store().put(tenant.schema_name, preview_id(camera_id), jpeg)


def get_preview(db: Session, tenant: TenantInfo, camera_id: int) -> bytes:
    """The latest low-rate preview frame the camera worker wrote; else the latest snapshot."""
    camera = get(db, camera_id)
    try:
        return get_file_store().get(tenant.schema_name, preview_id(camera.id))
    except (OSError, FileMissing):  # no preview frame written (yet): the snapshot of the last check
        pass
    if camera.snapshot_file_id is not None:
        try:
            return get_file_store().get(tenant.schema_name, camera.snapshot_file_id)
        except (OSError, FileMissing):
            pass
    raise NotFound("Chưa có hình xem trước.", "No preview yet.", code="preview_not_found")


# -- events and incidents -----------------------------------------------------------------------------
def list_events(
    db: Session, *, camera_id: int | None = None, state: str | None = None, limit: int = 50
) -> list[CameraEvent]:
    query = select(CameraEvent).order_by(CameraEvent.id.desc()).limit(limit)
    if camera_id is not None:
        query = query.where(CameraEvent.camera_id == camera_id)
    if state:
        query = query.where(CameraEvent.state == state)
    return list(db.scalars(query))


def get_event(db: Session, event_id: int) -> CameraEvent:
    event = db.get(CameraEvent, event_id)
    if event is None:
        raise NotFound("Không tìm thấy sự kiện.", "Event not found.", code="camera_event_not_found")
    return event


def event_snapshot(db: Session, event_id: int) -> uuid.UUID:
    """The frame the motion worker stored when it opened this event (not the camera's latest)."""
    event = get_event(db, event_id)
    if event.snapshot_file_id is None:
        raise NotFound("Sự kiện không có ảnh chụp.", "The event has no snapshot.", code="snapshot_not_found")
    return event.snapshot_file_id


def promote(db: Session, event_id: int, data: PromoteIn, *, actor: str, actor_kind: str) -> CameraEvent:
    event = get_event(db, event_id)
    if event.state == "incident":
        raise Conflict("Sự kiện đã là sự cố.", "The event is already an incident.", code="already_incident")
    before = CameraEventOut.model_validate(event).model_dump(mode="json")
    event.state = "incident"
    event.incident_title = data.title
    event.incident_note = data.note
    event.field_report_id = data.field_report_id
    event.promoted_by = actor
    event.promoted_at = now()
    db.flush()
    after = CameraEventOut.model_validate(event).model_dump(mode="json")
    _audit(db, actor, actor_kind, "promote", "camera_event", event.id, before=before, after=after)
    return event


def dismiss(db: Session, event_id: int, *, actor: str, actor_kind: str) -> CameraEvent:
    event = get_event(db, event_id)
    if event.state != "open":
        raise Conflict("Sự kiện không còn mở.", "The event is not open.", code="event_not_open")
    event.state = "dismissed"
    db.flush()
    _audit(db, actor, actor_kind, "dismiss", "camera_event", event.id, after={"state": "dismissed"})
    return event


def counts_by_status(db: Session) -> dict[str, int]:
    rows = db.execute(select(Camera.status, func.count()).group_by(Camera.status)).all()
    return {status: int(n) for status, n in rows}


# -- ONVIF ----------------------------------------------------------------------------------------------
def onvif_xaddr_for(camera: Camera) -> str:
    """The device service URL: the one recorded at discovery, else the ONVIF default on the stream's host."""
    if camera.onvif_xaddr:
        return camera.onvif_xaddr
    parts = urlsplit(camera.stream_url)
    host = f"[{parts.hostname}]" if parts.hostname and ":" in parts.hostname else (parts.hostname or "")
    return f"http://{host}/onvif/device_service"


def identify_onvif(
    db: Session, camera_id: int, *, actor: str, actor_kind: str, xaddr: str | None = None, timeout_s: float = 3.0
) -> Camera:
    """GetDeviceInformation (through the SSRF guard and the commune's site networks) → maker, model,
    firmware, serial number.

    Runs the SOAP call inside the caller's transaction: a short, bounded call (`timeout_s`)."""
    from smartcommune.platform.cameras import onvif

    camera = get(db, camera_id)
    url = xaddr or onvif_xaddr_for(camera)
    clean, _, _ = strip_credentials(url)
    info = onvif.device_information(
        clean,
        secrets.decrypt(camera.username_enc),
        secrets.decrypt(camera.password_enc),
        allow=allow_list(db),
        timeout_s=timeout_s,
    )
    fields = ("manufacturer", "model", "firmware", "serial_number")
    before = {f: getattr(camera, f) for f in fields}
    camera.model = info.model or camera.model
    camera.manufacturer = info.manufacturer or camera.manufacturer
    camera.firmware = info.firmware or camera.firmware
    camera.serial_number = info.serial or camera.serial_number
    camera.onvif_xaddr = clean
    camera.onvif_refreshed_at = camera.updated_at = now()
    db.flush()
    after = {f: getattr(camera, f) for f in fields}
    _audit(db, actor, actor_kind, "onvif_identify", "camera", camera.id, before=before, after=after)
    return camera


def _on_site(address: str, allow: Sequence[IPNetwork]) -> bool:
    """An address a discovery answer came from: allowed by the SSRF rules AND inside a site network."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    return check_address(ip, allow) is None and any(ip in net for net in allow if net.version == ip.version)


def _site_xaddr(xaddr: str, allow: Sequence[IPNetwork]) -> str | None:
    """A discovered device service URL, without credentials, if it may be contacted; else None."""
    try:
        target = guard_url(xaddr, allow)
    except UrlRefused:
        return None
    if target.scheme not in ("http", "https") or not _on_site(target.address, allow):
        return None
    return strip_credentials(xaddr)[0]


def discover_onvif(db: Session, data: OnvifDiscoverIn, *, actor: str, actor_kind: str) -> OnvifDiscoveryOut:
    """WS-Discovery Probe on the commune's site network (multicast, or unicast to one of its addresses).

    Every answer's source and every device service URL it names go through the SSRF rules and must lie in
    an allow-listed site network; the others are counted as refused and never contacted. Audited: it
    sends traffic into the commune's network."""
    from smartcommune.platform.cameras import onvif

    allow = allow_list(db)
    if not allow:
        raise InvalidInput(
            "Xã chưa có mạng nội bộ camera được duyệt. Hãy gửi yêu cầu ở mục «Mạng nội bộ camera» và chờ "
            "nhà cung cấp duyệt trước khi dò tìm.",
            "The commune has no approved camera site network. Request one in 'Camera site networks' and wait "
            "for the provider's approval before discovering.",
            code="no_site_network",
        )
    target = onvif.MULTICAST
    if data.address is not None:
        if not _on_site(str(data.address), allow):
            reason = check_address(data.address, allow) or "not_site_network"
            raise UrlRefused(
                "Địa chỉ dò tìm không thuộc mạng nội bộ đã khai báo của xã.",
                "The discovery address is not in one of the commune's allow-listed site networks.",
                reason=reason,
            )
        if data.address.version != 4:
            raise InvalidInput(
                "Dò tìm ONVIF chỉ hỗ trợ IPv4.", "ONVIF discovery supports IPv4 only.", code="onvif_ipv4_only"
            )
        target = (str(data.address), data.port)
    answers = onvif.discover(timeout_s=data.timeout_ms / 1000, target=target)
    known = {x: i for x, i in db.execute(select(Camera.onvif_xaddr, Camera.id).where(Camera.onvif_xaddr.is_not(None)))}
    found: list[OnvifDiscoveredOut] = []
    refused = 0
    for answer in answers:
        if not _on_site(answer.source, allow):
            refused += 1
            continue
        xaddrs = [x for x in (_site_xaddr(x, allow) for x in answer.xaddrs) if x is not None]
        refused += len(answer.xaddrs) - len(xaddrs)
        if xaddrs:
            found.append(
                OnvifDiscoveredOut(
                    endpoint=answer.endpoint[:200],
                    xaddrs=xaddrs,
                    name=answer.scope("name"),
                    hardware=answer.scope("hardware"),
                    source=answer.source,
                    camera_id=next((known[x] for x in xaddrs if x in known), None),
                )
            )
    _audit(
        db,
        actor,
        actor_kind,
        "onvif_discover",
        "site_network",
        str(data.address or "multicast"),
        after={"found": len(found), "refused": refused},
    )
    return OnvifDiscoveryOut(found=found, refused=refused)
