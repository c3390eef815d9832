"""Device-profile alarm rules in the ingester's batch path (no broker: batches handed to `process`), against
real PostgreSQL with two communes: raise once per breach, notify officials, clear when back in range."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from smartcommune.platform.devices import service
from smartcommune.platform.devices.ingest import Ingester
from smartcommune.platform.devices.models import Alarm
from smartcommune.platform.devices.mqtt import BrokerAddress
from smartcommune.platform.devices.schemas import DeviceIn, ProfileIn
from smartcommune.platform.devices.wire import Received
from smartcommune.platform.identity.accounts import create_account
from smartcommune.platform.inbox.models import InboxItem
from smartcommune.tenants.authz import service as authz
from smartcommune.tenants.authz.policy import COMMUNE_OFFICIAL, PROVIDER_ADMIN
from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.database import app_engine
from smartcommune.tenants.principal import COMMUNE_REALM, PROVIDER_REALM, Principal
from smartcommune.tenants.session import tenant_transaction

SEEDER = Principal(subject="alarm-tests", realm=PROVIDER_REALM, realm_roles=(PROVIDER_ADMIN,), username="a")
ACTOR = {"actor": "alarm-tests", "actor_kind": "provider"}


def _official(tenant: TenantInfo) -> str:
    account = create_account(
        app_engine(), realm=COMMUNE_REALM, username=f"al.{uuid.uuid4().hex[:8]}", commune_code=tenant.commune_code
    )
    authz.assign_role(app_engine(), SEEDER, tenant.commune_code, f"user:{account}", COMMUNE_OFFICIAL)
    return str(account)


def _sensor(tenant: TenantInfo) -> tuple[int, str]:
    with tenant_transaction(tenant) as db:
        profile = service.create_profile(
            db,
            ProfileIn.model_validate(
                {
                    "code": f"soil-{uuid.uuid4().hex[:6]}",
                    "name": "Cảm biến đất",
                    "fields": [{"name": "soil_moisture", "unit": "%", "min": 0, "max": 100}],
                    "alarm_rules": [
                        {"field": "soil_moisture", "op": "below", "threshold": 20, "severity": "critical"},
                        {"field": "soil_moisture", "op": "above", "threshold": 95},
                    ],
                }
            ),
            **ACTOR,
        )
        uid = f"soil-{uuid.uuid4().hex[:6]}"
        ((device, _),) = service.create_devices(
            db, tenant, [DeviceIn(uid=uid, serial=uid, name="Đất 1", profile_id=profile.id)], **ACTOR
        )
        return device.id, uid


def test_profile_alarm_rules_raise_once_notify_and_clear(communes: tuple[TenantInfo, TenantInfo]) -> None:
    a, b = communes
    official_a, official_b = _official(a), _official(b)
    device_id, uid = _sensor(a)
    ingester = Ingester(BrokerAddress("127.0.0.1", 1, None, None), client_id=f"alarms-{uuid.uuid4().hex[:6]}")
    start = datetime(2026, 11, 21, 6, 0, tzinfo=UTC)
    topic = f"t/{a.commune_code}/d/{uid}/telemetry"

    def feed(*values: float) -> None:
        batch = [
            Received(topic, f'{{"soil_moisture": {v}}}'.encode(), i, 1, 1, start + timedelta(minutes=i))
            for i, v in enumerate(values)
        ]
        ingester.process(batch)

    feed(50, 15, 10)  # dry: one alarm, not two
    feed(12)  # still dry (another batch): still one
    with tenant_transaction(a) as db:
        (alarm,) = db.scalars(select(Alarm).where(Alarm.device_id == device_id)).all()
        assert (alarm.state, alarm.severity, alarm.value, alarm.profile_rule) == (
            "active",
            "critical",
            15.0,
            "soil_moisture:below:20",
        )
    feed(40, 99, 5)  # cleared, then too wet, then dry again
    with tenant_transaction(a) as db:
        alarms = db.scalars(select(Alarm).where(Alarm.device_id == device_id).order_by(Alarm.id)).all()
        states = [(x.profile_rule, x.state) for x in alarms]
        inbox = db.scalars(
            select(InboxItem).where(InboxItem.recipient == official_a, InboxItem.source_id == str(device_id))
        ).all()
    assert states == [
        ("soil_moisture:below:20", "cleared"),
        ("soil_moisture:above:95", "cleared"),
        ("soil_moisture:below:20", "active"),
    ]
    assert len(inbox) == 3 and all(uid in item.title for item in inbox)
    assert ingester.counters["alarms_raised"] == 3 and ingester.counters["stored"] == 7
    with tenant_transaction(b) as db:
        assert db.scalars(select(InboxItem).where(InboxItem.recipient == official_b)).all() == []
