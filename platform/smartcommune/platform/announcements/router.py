from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from fastapi import APIRouter, Depends, File, Header, Query, Request, UploadFile
from fastapi.responses import Response

from smartcommune.platform.announcements import delivery, service
from smartcommune.platform.announcements.schemas import (
    AnnouncementIn,
    AnnouncementOut,
    AnnouncementPatch,
    AttachmentOut,
    DeliveryReport,
    DeliveryReportAck,
    LoudspeakerItem,
    PushKeyOut,
    PushSubscriptionIn,
)
from smartcommune.platform.files.http import file_response
from smartcommune.platform.files.service import DOCUMENT, read_file, store_upload
from smartcommune.platform.http.auth import CommuneCall, authorize, tenant_db
from smartcommune.platform.notifications import callbacks
from smartcommune.platform.notifications.settings import get_channel_settings
from smartcommune.platform.residents.scope import village_scope
from smartcommune.tenants import audit
from smartcommune.tenants.authz.authorizer import is_allowed
from smartcommune.tenants.session import TenantSession

router = APIRouter(prefix="/api/v1", tags=["announcements"])


def _scope(call: CommuneCall) -> frozenset[int] | None:
    """A village head composes and manages announcements for their own village(s) only."""
    return village_scope(call.db, call.principal, call.tenant.commune_code, "announcements", "write")


def _manager(call: CommuneCall) -> bool:
    """Who composes announcements sees all of them; everyone else sees what is published for them."""
    return is_allowed(call.principal, call.tenant.commune_code, "announcements", "write")


@router.get("/announcements", response_model=list[AnnouncementOut])
def list_announcements(
    status: Literal["scheduled", "published", "cancelled"] | None = None,
    before_id: int | None = None,
    limit: int = Query(default=30, ge=1, le=200),
    call: CommuneCall = Depends(authorize("announcements", "read")),
) -> list[AnnouncementOut]:
    return service.list_announcements(
        call.db, subject=call.principal.subject, manager=_manager(call), status=status, limit=limit, before_id=before_id
    )


@router.post("/announcements", response_model=AnnouncementOut, status_code=201)
def create_announcement(
    data: AnnouncementIn, call: CommuneCall = Depends(authorize("announcements", "write"))
) -> AnnouncementOut:
    announcement = service.create(
        call.db, call.tenant, data, actor=call.actor, actor_kind=call.actor_kind, scope=_scope(call)
    )
    return service.to_out(call.db, [announcement])[0]


@router.post("/announcements/attachments", response_model=AttachmentOut, status_code=201)
async def upload_attachment(
    file: UploadFile = File(...), call: CommuneCall = Depends(authorize("announcements", "write"))
) -> AttachmentOut:
    data = await file.read(DOCUMENT.max_bytes + 1)
    row = store_upload(
        call.db,
        call.tenant,
        filename=file.filename or "tep",
        data=data,
        purpose=service.ATTACHMENT_PURPOSE,
        actor=call.actor,
        rules=DOCUMENT,
    )
    audit.record(
        call.db,
        actor=call.actor,
        actor_kind=call.actor_kind,
        action="upload",
        object_type="file",
        object_id=str(row.id),
        after={"name": row.name, "content_type": row.content_type, "size_bytes": row.size_bytes},
    )
    return AttachmentOut(id=row.id, name=row.name, content_type=row.content_type, size_bytes=row.size_bytes)


@router.get("/announcements/{announcement_id}", response_model=AnnouncementOut)
def get_announcement(
    announcement_id: int, call: CommuneCall = Depends(authorize("announcements", "read"))
) -> AnnouncementOut:
    announcement = service.get(call.db, announcement_id, subject=call.principal.subject, manager=_manager(call))
    return service.to_out(call.db, [announcement])[0]


@router.get("/announcements/{announcement_id}/attachments/{file_id}")
def get_attachment(
    announcement_id: int, file_id: uuid.UUID, call: CommuneCall = Depends(authorize("announcements", "read"))
) -> Response:
    announcement = service.get(call.db, announcement_id, subject=call.principal.subject, manager=_manager(call))
    service.attachment(call.db, announcement, file_id)
    row, data = read_file(call.db, call.tenant, file_id)
    return file_response(row, data)


@router.post("/announcements/{announcement_id}/cancel", response_model=AnnouncementOut)
def cancel_announcement(
    announcement_id: int, call: CommuneCall = Depends(authorize("announcements", "write"))
) -> AnnouncementOut:
    announcement = service.cancel(
        call.db, announcement_id, actor=call.actor, actor_kind=call.actor_kind, scope=_scope(call)
    )
    return service.to_out(call.db, [announcement])[0]


@router.patch("/announcements/{announcement_id}", response_model=AnnouncementOut)
def edit_announcement(
    announcement_id: int, patch: AnnouncementPatch, call: CommuneCall = Depends(authorize("announcements", "write"))
) -> AnnouncementOut:
    """Edit before publication (409 `announcement_not_editable` once published or cancelled)."""
    announcement = service.update(
        call.db, call.tenant, announcement_id, patch, actor=call.actor, actor_kind=call.actor_kind, scope=_scope(call)
    )
    return service.to_out(call.db, [announcement])[0]


@router.get("/announcements/{announcement_id}/deliveries", response_model=DeliveryReport)
def delivery_report(
    announcement_id: int,
    channel: Literal["inbox", "push", "sms", "zalo"] | None = None,
    status: Literal["queued", "sent", "delivered", "read", "failed"] | None = None,
    after_id: int = Query(default=0, ge=0),
    limit: int = Query(default=100, ge=1, le=1000),
    call: CommuneCall = Depends(authorize("announcements", "write")),  # who may send may see who got it
) -> DeliveryReport:
    return service.delivery_report(
        call.db, announcement_id, channel=channel, status=status, limit=limit, after_id=after_id, scope=_scope(call)
    )


@router.get("/loudspeaker", response_model=list[LoudspeakerItem])
def loudspeaker(
    day: date | None = Query(default=None, alias="date"),
    village_id: int | None = None,
    call: CommuneCall = Depends(authorize("announcements", "read")),
) -> list[LoudspeakerItem]:
    day = day or datetime.now(service.LOCAL_TZ).date()
    return service.loudspeaker_schedule(call.db, call.tenant, day=day, village_id=village_id)


# -- web push subscriptions (one's own: `profile`) ----------------------------------------------------
@router.get("/push-subscriptions/key", response_model=PushKeyOut)
def vapid_public_key(call: CommuneCall = Depends(authorize("profile", "read"))) -> PushKeyOut:
    return PushKeyOut(public_key=get_channel_settings().vapid_public_key)


@router.post("/push-subscriptions", status_code=204)
def subscribe(data: PushSubscriptionIn, call: CommuneCall = Depends(authorize("profile", "write"))) -> Response:
    service.subscribe(
        call.db, call.principal.subject, data.endpoint, data.keys["p256dh"], data.keys["auth"], data.user_agent
    )
    audit.record(
        call.db,
        actor=call.actor,
        actor_kind=call.actor_kind,
        action="subscribe",
        object_type="push_subscription",
        object_id=call.principal.subject,
    )
    return Response(status_code=204)


@router.delete("/push-subscriptions", status_code=204)
def unsubscribe(
    endpoint: str = Query(max_length=2000), call: CommuneCall = Depends(authorize("profile", "write"))
) -> Response:
    removed = service.unsubscribe(call.db, call.principal.subject, endpoint)
    audit.record(
        call.db,
        actor=call.actor,
        actor_kind=call.actor_kind,
        action="unsubscribe",
        object_type="push_subscription",
        object_id=call.principal.subject,
        after={"removed": removed},
    )
    return Response(status_code=204)


# -- providers' delivery reports (on the commune's host; authenticated as each provider documents) ----
callbacks_router = APIRouter(tags=["delivery reports"])


@callbacks_router.get("/webhooks/esms/delivery", response_model=DeliveryReportAck)
def esms_delivery_report(
    request: Request, db: TenantSession = Depends(tenant_db, scope="function")
) -> DeliveryReportAck:
    """eSMS.vn `CallbackUrl` (HTTP GET): the shared secret `token` we registered, then the report."""
    query = dict(request.query_params)
    callbacks.esms_verify(query.get("token"), get_channel_settings().esms_callback_secret)
    report = callbacks.esms_parse(query)
    return DeliveryReportAck(ok=True, outcome=delivery.record_report(db, report))


async def _raw_body(request: Request) -> bytes:
    return await request.body()


@callbacks_router.post("/webhooks/zalo/zns", response_model=DeliveryReportAck)
def zalo_delivery_report(
    raw: bytes = Depends(_raw_body),
    x_zevent_signature: str | None = Header(default=None),
    db: TenantSession = Depends(tenant_db, scope="function"),
) -> DeliveryReportAck:
    """Zalo OA webhook: `X-ZEvent-Signature: mac=sha256(app_id + body + timestamp + OA secret key)`."""
    body = callbacks.zalo_body(raw)
    callbacks.zalo_verify(x_zevent_signature, raw, body, get_channel_settings().zalo_oa_secret_key)
    report = callbacks.zalo_parse(body)
    outcome = delivery.record_report(db, report) if report is not None else "ignored"
    return DeliveryReportAck(ok=True, outcome=outcome)
