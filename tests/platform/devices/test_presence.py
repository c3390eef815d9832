"""Device presence by inactivity timeout, the periodic device sweep (presence, schedules, command expiry)
and its beat entry, against real PostgreSQL with two communes."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

from sqlalchemy import select

from smartcommune.platform.devices import service, tasks
from smartcommune.platform.devices.models import Device
from smartcommune.platform.devices.schemas import DeviceIn, ProfileIn
from smartcommune.platform.identity.accounts import create_account
from smartcommune.platform.inbox.models import InboxItem
from smartcommune.platform.worker.celery_app import BEAT_SCHEDULE, TASK_MODULES
from smartcommune.tenants.authz import service as authz
from smartcommune.tenants.authz.policy import COMMUNE_OFFICIAL, PROVIDER_ADMIN
from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.database import app_engine
from smartcommune.tenants.principal import COMMUNE_REALM, PROVIDER_REALM, Principal
from smartcommune.tenants.session import tenant_transaction
from smartcommune.tenants.settings import get_settings

SEEDER = Principal(subject="presence-tests", realm=PROVIDER_REALM, realm_roles=(PROVIDER_ADMIN,), username="p")
ACTOR = {"actor": "presence-tests", "actor_kind": "provider"}


def _official(tenant: TenantInfo) -> str:
    account = create_account(
        app_engine(), realm=COMMUNE_REALM, username=f"dev.{uuid.uuid4().hex[:8]}", commune_code=tenant.commune_code
    )
    authz.assign_role(app_engine(), SEEDER, tenant.commune_code, f"user:{account}", COMMUNE_OFFICIAL)
    return str(account)


def _device(tenant: TenantInfo) -> int:
    with tenant_transaction(tenant) as db:
        profile = service.create_profile(
            db,
            ProfileIn.model_validate(
                {"code": f"p-{uuid.uuid4().hex[:6]}", "name": "Cảm biến", "fields": [{"name": "t", "min": 0}]}
            ),
            **ACTOR,
        )
        tag = uuid.uuid4().hex[:6]
        ((device, _),) = service.create_devices(
            db, tenant, [DeviceIn(uid=f"pr-{tag}", serial=tag, name=f"Van {tag}", profile_id=profile.id)], **ACTOR
        )
        return device.id


def _inbox(tenant: TenantInfo, recipient: str, device_id: int) -> list[InboxItem]:
    with tenant_transaction(tenant) as db:
        return list(
            db.scalars(
                select(InboxItem)
                .where(InboxItem.recipient == recipient, InboxItem.source_id == str(device_id))
                .order_by(InboxItem.id)
            )
        )


def test_inactive_device_goes_offline_and_back_online_notifying_officials(
    communes: tuple[TenantInfo, TenantInfo],
) -> None:
    cam_lo, hau_loc = communes
    official, other = _official(cam_lo), _official(hau_loc)
    device_id = _device(cam_lo)
    timeout = timedelta(seconds=get_settings().device_offline_after_s)
    # Never heard from: stays unknown, nobody is told.
    with tenant_transaction(cam_lo) as db:
        assert device_id not in [c[0] for c in service.update_presence(db, cam_lo)]
    now = service.now()
    with tenant_transaction(cam_lo) as db:
        db.get_one(Device, device_id).last_seen_at = now - timedelta(seconds=5)
    with tenant_transaction(cam_lo) as db:
        assert (device_id, "unknown", "online") in service.update_presence(db, cam_lo, now)
    assert _inbox(cam_lo, official, device_id) == []  # first contact is not news
    # Silent for longer than the timeout: offline, officials notified (Vietnamese first).
    with tenant_transaction(cam_lo) as db:
        assert (device_id, "online", "offline") in service.update_presence(db, cam_lo, now + timeout + timedelta(1))
    (offline,) = _inbox(cam_lo, official, device_id)
    assert offline.kind == "device_presence" and offline.title.startswith("Thiết bị mất kết nối")
    assert offline.priority == "high"
    # A second sweep changes nothing and sends nothing.
    with tenant_transaction(cam_lo) as db:
        assert service.update_presence(db, cam_lo, now + timeout + timedelta(2)) == []
    # Telemetry again: back online, notified once more; commune B's officials saw none of it.
    later = now + timeout + timedelta(3)
    with tenant_transaction(cam_lo) as db:
        service.store_batch(db, [(device_id, later, json.dumps({"t": 1.0}))], [])
        assert (device_id, "offline", "online") in service.update_presence(db, cam_lo, later)
        assert db.get_one(Device, device_id).presence == "online"
    items = _inbox(cam_lo, official, device_id)
    assert [i.title.split(":")[0] for i in items] == ["Thiết bị mất kết nối", "Thiết bị kết nối lại"]
    assert all(" / " not in i.title and " / " not in i.body for i in items)  # one language per text
    assert _inbox(hau_loc, other, device_id) == []


def test_the_periodic_sweep_is_scheduled_and_runs_per_commune(communes: tuple[TenantInfo, TenantInfo]) -> None:
    cam_lo, _ = communes
    entry = BEAT_SCHEDULE["devices-sweep"]
    assert entry["task"] == "smartcommune.platform.devices.tasks.periodic" and entry["schedule"] <= 60
    assert "smartcommune.platform.devices.tasks" in TASK_MODULES
    figures = tasks.sweep(cam_lo)
    assert set(figures) == {"went_offline", "came_online", "schedules", "commands_timed_out"}
