"""Provider decisions on camera site network requests (control.site_network_requests).

Approving re-checks the network against today's rules (netguard.site_network_refusal) and writes it into
the commune's own allow-list (`site_networks`) in the commune's schema, in the same unit of work as the
decision; both the request's decision and the allow-list change are audited in the commune's audit log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from smartcommune.platform.cameras import service as cameras
from smartcommune.platform.cameras.models import SiteNetwork
from smartcommune.platform.cameras.schemas import SiteNetworkIn
from smartcommune.tenants import audit
from smartcommune.tenants.control.models import SiteNetworkRequest, Tenant
from smartcommune.tenants.errors import Conflict, NotFound
from smartcommune.tenants.registry import info_from_row
from smartcommune.tenants.session import tenant_transaction

ACTOR_KIND = "provider"


@dataclass(frozen=True)
class RequestRow:
    request: SiteNetworkRequest
    commune_name: str
    commune_slug: str


def list_requests(
    control: Session, *, status: str | None, commune_code: int | None, limit: int, offset: int
) -> tuple[list[RequestRow], int]:
    query = select(SiteNetworkRequest, Tenant.name, Tenant.slug).join(Tenant, Tenant.id == SiteNetworkRequest.tenant_id)
    count = select(func.count()).select_from(SiteNetworkRequest)
    if status:
        query = query.where(SiteNetworkRequest.status == status)
        count = count.where(SiteNetworkRequest.status == status)
    if commune_code is not None:
        query = query.where(SiteNetworkRequest.commune_code == commune_code)
        count = count.where(SiteNetworkRequest.commune_code == commune_code)
    rows = control.execute(query.order_by(SiteNetworkRequest.id.desc()).limit(limit).offset(offset)).all()
    return [RequestRow(r, name, slug) for r, name, slug in rows], int(control.scalar(count) or 0)


def _pending(control: Session, request_id: int) -> tuple[SiteNetworkRequest, Tenant]:
    row = control.get(SiteNetworkRequest, request_id, with_for_update=True)
    if row is None:
        raise NotFound("Không tìm thấy yêu cầu.", "Request not found.", code="site_network_request_not_found")
    if row.status != "pending":
        raise Conflict(
            "Yêu cầu này đã được xử lý.", "This request has already been decided.", code="site_network_request_decided"
        )
    tenant = control.get(Tenant, row.tenant_id)
    if tenant is None:  # pragma: no cover - the foreign key cascades
        raise NotFound("Không tìm thấy xã.", "Commune not found.", code="commune_not_found")
    return row, tenant


def _decide(row: SiteNetworkRequest, status: str, actor: str, note: str) -> None:
    row.status = status
    row.decided_by = actor[:120]
    row.decided_at = datetime.now(UTC)
    row.decision_note = note


def approve(control: Session, request_id: int, *, actor: str, note: str = "") -> RequestRow:
    row, tenant = _pending(control, request_id)
    net = cameras.checked_site_network(row.cidr)  # today's rules: a request made earlier may break them now
    with tenant_transaction(info_from_row(tenant)) as db:
        if db.scalar(select(SiteNetwork.id).where(SiteNetwork.cidr == str(net))) is None:
            cameras.add_site_network(
                db, SiteNetworkIn(cidr=str(net), note=row.note), actor=actor, actor_kind=ACTOR_KIND
            )
        _decide(row, "approved", actor, note)
        audit.record(
            db,
            actor=actor,
            actor_kind=ACTOR_KIND,
            action="approve",
            object_type="site_network_request",
            object_id=str(row.id),
            after={"cidr": row.cidr, "note": note},
        )
        control.flush()
    return RequestRow(row, tenant.name, tenant.slug)


def refuse(control: Session, request_id: int, *, actor: str, note: str) -> RequestRow:
    row, tenant = _pending(control, request_id)
    _decide(row, "refused", actor, note)
    with tenant_transaction(info_from_row(tenant)) as db:
        audit.record(
            db,
            actor=actor,
            actor_kind=ACTOR_KIND,
            action="refuse",
            object_type="site_network_request",
            object_id=str(row.id),
            after={"cidr": row.cidr, "note": note},
        )
        control.flush()
    return RequestRow(row, tenant.name, tenant.slug)
