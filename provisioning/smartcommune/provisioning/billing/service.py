"""Plans, a Stripe customer and subscription per commune, daily usage as meter events, the control-plane
webhook inbox, and dunning: unpaid past the grace period → notice → suspended (never deleted)."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Any

import stripe
import structlog
from sqlalchemy import func, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from smartcommune.platform.inbox.service import Message, notify
from smartcommune.platform.payments import stripe_gateway as gateway
from smartcommune.provisioning.billing.schemas import DunningOut, PlanIn, StripeAck, UsageLine
from smartcommune.tenants import registry
from smartcommune.tenants.authz.policy import COMMUNE_ADMIN
from smartcommune.tenants.authz.service import holders_of
from smartcommune.tenants.control.models import (
    BillingAccount,
    BillingPlan,
    BillingUsageReport,
    ControlWebhookEvent,
    IdentityAccount,
    Tenant,
)
from smartcommune.tenants.database import app_engine, owner_engine
from smartcommune.tenants.errors import AppError, Conflict, NotFound
from smartcommune.tenants.principal import COMMUNE_REALM
from smartcommune.tenants.session import tenant_transaction
from smartcommune.tenants.settings import get_settings

log = structlog.stdlib.get_logger(__name__)
METERS = ("active_residents", "cameras", "devices")
UNPAID = ("past_due", "unpaid")


class StripeSignatureInvalid(AppError):
    status = 400
    code = "stripe_signature_invalid"


def _now() -> datetime:
    return datetime.now().astimezone()


def upsert_plan(data: PlanIn) -> BillingPlan:
    meters = {k: v.model_dump() for k, v in data.meters.items()}
    with Session(app_engine(), expire_on_commit=False) as s, s.begin():
        stmt = pg_insert(BillingPlan).values(
            code=data.code, name=data.name, base_price_id=data.base_price_id, meters=meters
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=["code"], set_={"name": data.name, "base_price_id": data.base_price_id, "meters": meters}
        )
        s.execute(stmt)
        plan = s.get(BillingPlan, data.code)
        assert plan is not None
        return plan


def list_plans() -> list[BillingPlan]:
    with Session(app_engine()) as s:
        return list(s.scalars(select(BillingPlan).order_by(BillingPlan.code)))


def account(key: str) -> BillingAccount:
    tenant = registry.get_commune(app_engine(), key)
    with Session(app_engine()) as s:
        row = s.get(BillingAccount, tenant.id)
        if row is None:
            raise NotFound("Xã chưa có thuê bao.", "The commune has no subscription.", code="billing_account_not_found")
        return row


def subscribe(key: str, plan_code: str) -> BillingAccount:
    """Create (or finish creating) the commune's customer and subscription. Safe to rerun: each call's
    idempotency key is fixed by the commune (and plan), and ids already stored are not asked for again."""
    tenant = registry.get_commune(app_engine(), key)
    with Session(app_engine(), expire_on_commit=False) as s, s.begin():
        plan = s.get(BillingPlan, plan_code)
        if plan is None:
            raise NotFound("Không có gói cước này.", "No such plan.", code="plan_not_found")
        row = s.get(BillingAccount, tenant.id, with_for_update=True)
        if row is None:
            row = BillingAccount(
                tenant_id=tenant.id, commune_code=tenant.commune_code, plan_code=plan.code, status="incomplete"
            )
            s.add(row)
            s.flush()
        elif row.stripe_subscription_id and row.plan_code != plan.code:
            raise Conflict(
                "Xã đã có thuê bao gói khác.", "The commune is subscribed to another plan.", code="already_subscribed"
            )
        if row.stripe_customer_id is None:
            row.stripe_customer_id = gateway.create_customer(
                commune_code=tenant.commune_code,
                name=tenant.name,
                province=tenant.province_name,
                tenant_id=str(tenant.id),
            )
        if row.stripe_subscription_id is None:
            row.stripe_subscription_id, row.status = gateway.create_subscription(
                commune_code=tenant.commune_code,
                customer_id=row.stripe_customer_id,
                plan=plan.code,
                base_price=plan.base_price_id,
                metered_prices=[plan.meters[m]["price"] for m in METERS if m in plan.meters],
            )
        row.updated_at = _now()
        return row


def _tenant_count(tenant: Tenant, table: str) -> int:
    info = registry.info_from_row(tenant)
    with tenant_transaction(info) as db:
        if db.scalar(text("SELECT to_regclass(:t)"), {"t": table}) is None:
            return 0
        return int(db.scalar(text(f"SELECT count(*) FROM {table}")) or 0)  # table name from METERS, not input


def measure(tenant: Tenant) -> dict[str, int]:
    with Session(app_engine()) as s:
        residents = s.scalar(
            select(func.count())
            .select_from(IdentityAccount)
            .where(
                IdentityAccount.realm == COMMUNE_REALM,
                IdentityAccount.commune_code == tenant.commune_code,
                IdentityAccount.enabled,
            )
        )
    return {
        "active_residents": int(residents or 0),
        "cameras": _tenant_count(tenant, "cameras"),
        "devices": _tenant_count(tenant, "devices"),
    }


def report_usage(day: date, commune_codes: list[int] | None = None) -> list[UsageLine]:
    """Daily job: one meter event per (commune, day, meter). A rerun sends nothing already recorded, and a
    send that is retried carries the same idempotency key and identifier, so Stripe counts it once."""
    period = day.isoformat()
    lines: list[UsageLine] = []
    query = (
        select(BillingAccount, BillingPlan, Tenant)
        .join(BillingPlan, BillingPlan.code == BillingAccount.plan_code)
        .join(Tenant, Tenant.id == BillingAccount.tenant_id)
        .where(BillingAccount.stripe_customer_id.is_not(None))
        .order_by(BillingAccount.commune_code)
    )
    if commune_codes is not None:
        query = query.where(BillingAccount.commune_code.in_(commune_codes))
    with Session(app_engine()) as s:
        rows = s.execute(query).all()
    for acct, plan, tenant in rows:
        values = measure(tenant)
        for meter in METERS:
            if meter not in plan.meters:
                continue
            key = gateway.usage_key(acct.commune_code, period, meter)
            with Session(app_engine()) as s, s.begin():
                inserted = s.scalar(
                    pg_insert(BillingUsageReport)
                    .values(
                        tenant_id=acct.tenant_id,
                        commune_code=acct.commune_code,
                        period=period,
                        meter=meter,
                        value=values[meter],
                        idempotency_key=key,
                    )
                    .on_conflict_do_nothing()
                    .returning(BillingUsageReport.id)
                )
                if inserted is not None:  # the row commits only if Stripe accepted the event
                    assert acct.stripe_customer_id is not None
                    gateway.report_meter_event(
                        commune_code=acct.commune_code,
                        customer_id=acct.stripe_customer_id,
                        period=period,
                        meter=meter,
                        event_name=plan.meters[meter]["event_name"],
                        value=values[meter],
                    )
            lines.append(
                UsageLine(
                    commune_code=acct.commune_code,
                    meter=meter,
                    value=values[meter],
                    idempotency_key=key,
                    sent=inserted is not None,
                )
            )
    return lines


# -- webhooks ---------------------------------------------------------------------------------------
def receive_webhook(payload: bytes, signature: str | None) -> StripeAck:
    secret = get_settings().stripe_webhook_secret
    try:
        if not secret:
            raise ValueError("no webhook secret configured")
        event = gateway.verify_webhook(payload, signature, secret)
    except (ValueError, stripe.SignatureVerificationError) as e:
        raise StripeSignatureInvalid("Chữ ký Stripe không hợp lệ.", "Invalid Stripe signature.") from e
    body: dict[str, Any] = json.loads(payload)
    with Session(app_engine()) as s, s.begin():
        new_id = s.scalar(
            pg_insert(ControlWebhookEvent)
            .values(source="stripe", event_id=event.id, event_type=event.type, payload=body, outcome="received")
            .on_conflict_do_nothing()
            .returning(ControlWebhookEvent.id)
        )
        if new_id is None:
            return StripeAck(duplicate=True, outcome="duplicate")
        outcome = _apply(s, event.type, body.get("data", {}).get("object", {}))
        s.execute(update(ControlWebhookEvent).where(ControlWebhookEvent.id == new_id).values(outcome=outcome))
    return StripeAck(outcome=outcome)


def _apply(s: Session, event_type: str, obj: dict[str, Any]) -> str:
    customer = obj.get("customer")
    if not isinstance(customer, str):
        return "ignored"
    row = s.scalar(select(BillingAccount).where(BillingAccount.stripe_customer_id == customer).with_for_update())
    if row is None:
        return "unknown_customer"
    if event_type in ("invoice.paid", "invoice.payment_succeeded"):
        row.status, row.unpaid_since, row.notice_sent_at = "active", None, None
    elif event_type == "invoice.payment_failed":
        row.status = "past_due"
        row.unpaid_since = row.unpaid_since or _now()
    elif event_type in (
        "customer.subscription.updated",
        "customer.subscription.deleted",
        "customer.subscription.created",
    ):
        row.status = str(obj.get("status") or row.status)
        if row.status in UNPAID:
            row.unpaid_since = row.unpaid_since or _now()
        elif row.status == "active":
            row.unpaid_since, row.notice_sent_at = None, None
    else:
        return "ignored"
    row.updated_at = _now()
    return f"applied:{row.status}"


# -- dunning ----------------------------------------------------------------------------------------
def run_dunning(now: datetime | None = None) -> DunningOut:
    """Unpaid past the grace period → a notice to the commune's admins; still unpaid `notice_days` after
    the notice → suspended (data kept; resuming is the provider's `resume`). Never deleted."""
    settings = get_settings()
    now = now or _now()
    noticed: list[int] = []
    suspended: list[int] = []
    with Session(app_engine(), expire_on_commit=False) as s, s.begin():
        rows = s.scalars(
            select(BillingAccount)
            .where(BillingAccount.status.in_(UNPAID), BillingAccount.unpaid_since.is_not(None))
            .with_for_update(skip_locked=True)
        ).all()
        for row in rows:
            assert row.unpaid_since is not None
            if row.notice_sent_at is None and now - row.unpaid_since >= timedelta(days=settings.billing_grace_days):
                row.notice_sent_at = now
                noticed.append(row.commune_code)
            elif (
                row.notice_sent_at is not None
                and row.suspended_for_billing_at is None
                and now - row.notice_sent_at >= timedelta(days=settings.billing_notice_days)
            ):
                row.suspended_for_billing_at = now
                suspended.append(row.commune_code)
    for code in noticed:
        _notify_admins(code, settings.billing_notice_days)
    for code in suspended:
        registry.suspend_commune(
            owner_engine(), code, "Chưa thanh toán phí thuê bao / unpaid subscription", actor="billing"
        )
    return DunningOut(noticed=noticed, suspended=suspended)


def _notify_admins(commune_code: int, days: int) -> None:
    info = registry.info_from_row(registry.get_commune(app_engine(), commune_code))
    with tenant_transaction(info) as db:
        notify(
            db,
            holders_of(app_engine(), commune_code, (COMMUNE_ADMIN,)),
            Message(
                kind="billing_notice",
                title="Thông báo: phí thuê bao nền tảng quá hạn",
                body=f"Xã sẽ bị tạm ngừng sau {days} ngày nếu chưa thanh toán. Dữ liệu được giữ nguyên.",
                priority="high",
                source_type="billing",
            ),
        )
