"""The provisioning run's billing step with Stripe configured, against the local Stripe stand-in (conftest):
exactly one customer and one subscription request with the commune's deterministic idempotency keys, and a
re-run (the same run again, or a new run of the commune) sends nothing to Stripe and creates nothing."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from testsupport.fresh import unused_commune_codes

from smartcommune.provisioning.billing import service as billing
from smartcommune.provisioning.billing.schemas import PlanIn
from smartcommune.provisioning.runs import service
from smartcommune.provisioning.runs.schemas import AdminContact, RunSpec
from smartcommune.tenants import registry
from smartcommune.tenants.control.models import BillingAccount, Tenant
from smartcommune.tenants.database import app_engine, owner_engine

PLAN = PlanIn.model_validate(
    {
        "code": "standard",
        "name": "Gói tiêu chuẩn",
        "base_price_id": "price_Standard2026",
        "meters": {
            "active_residents": {"price": "price_StdResidents", "event_name": "sc_active_residents"},
            "cameras": {"price": "price_StdCameras", "event_name": "sc_cameras"},
            "devices": {"price": "price_StdDevices", "event_name": "sc_devices"},
        },
    }
)


def test_run_with_stripe_subscribes_once_and_rerun_creates_nothing(database_url: str, fake_stripe: Any) -> None:
    engine = owner_engine()
    billing.upsert_plan(PLAN)
    (code,) = unused_commune_codes(1)
    spec = RunSpec(commune_code=code, plan="standard", admin=AdminContact(name="Ngô Văn Tâm"))
    run_id = service.create_run(engine, spec)
    fake_stripe.take()
    outcome = service.execute(engine, run_id, sleep=lambda s: None)
    assert outcome.status == "succeeded", outcome.error
    sent = fake_stripe.take()
    assert [(r.method, r.path) for r in sent] == [("POST", "/v1/customers"), ("POST", "/v1/subscriptions")]
    customer, subscription = sent
    tenant = registry.get_commune(engine, code)
    assert customer.headers["idempotency-key"] == f"sc-customer-{code}"
    assert customer.headers["authorization"] == "Bearer sk_test_smartcommune"
    assert customer.form["name"] == tenant.name
    assert customer.form["description"] == f"{tenant.name}, {tenant.province_name}"
    assert customer.form["metadata[commune_code]"] == str(code)
    assert customer.form["metadata[tenant_id]"] == str(tenant.id)
    assert ("preferred_locales[0]", "vi") in customer.params and ("preferred_locales[1]", "en") in customer.params
    assert subscription.headers["idempotency-key"] == f"sc-subscription-{code}-standard"
    assert [v for k, v in subscription.params if k.startswith("items[")] == [
        "price_Standard2026",
        "price_StdResidents",
        "price_StdCameras",
        "price_StdDevices",
    ]
    assert subscription.form["collection_method"] == "send_invoice"
    assert subscription.form["days_until_due"] == "30"
    assert subscription.form["metadata[plan]"] == "standard"
    out = {s.name: s for s in service.get_run(engine, run_id)[1]}["billing"]
    assert out.status == "succeeded"
    with Session(app_engine()) as s:
        account = s.get(BillingAccount, tenant.id)
        assert account is not None
        assert subscription.form["customer"] == account.stripe_customer_id == out.output["customer"]
        assert account.stripe_subscription_id == out.output["subscription"]
        assert account.plan_code == "standard" and account.status == "active"

    # Re-running the finished run does nothing; a new run of the commune finds the subscription stored.
    assert service.execute(engine, run_id).executed_steps == 0
    again = service.create_run(engine, spec)
    assert service.execute(engine, again).status == "succeeded"
    assert fake_stripe.take() == []
    rerun = {s.name: s.output for s in service.get_run(engine, again)[1]}["billing"]
    assert rerun == out.output


def test_an_unknown_plan_stops_the_run_at_validate_before_the_commune_exists(
    database_url: str, fake_stripe: Any
) -> None:
    engine = owner_engine()
    (code,) = unused_commune_codes(1)
    run_id = service.create_run(
        engine, RunSpec(commune_code=code, plan="khong-co", admin=AdminContact(name="Lê Thị Hoa"))
    )
    fake_stripe.take()
    outcome = service.execute(engine, run_id, sleep=lambda s: None)
    assert outcome.status == "failed" and outcome.error and "plan_not_found" in outcome.error
    steps = {s.name: s.status for s in service.get_run(engine, run_id)[1]}
    assert steps["validate"] == "failed" and steps.get("register") != "succeeded"
    assert fake_stripe.take() == []
    with Session(engine) as s:
        assert s.scalar(select(Tenant).where(Tenant.commune_code == code)) is None
