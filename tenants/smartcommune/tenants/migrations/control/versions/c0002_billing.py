"""Subscription billing of communes, control-plane webhook inbox

Revision ID: c0002
Revises: c0001
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "c0002"
down_revision = "c0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "billing_plans",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("base_price_id", sa.String(length=100), nullable=False),
        sa.Column("meters", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_billing_plans")),
        schema="control",
    )
    op.create_table(
        "webhook_inbox",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("event_id", sa.String(length=100), nullable=False),
        sa.Column("event_type", sa.String(length=100), nullable=False),
        sa.Column("payload", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("outcome", sa.String(length=40), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_inbox")),
        schema="control",
    )
    op.create_index(
        "uq_webhook_inbox_source_event", "webhook_inbox", ["source", "event_id"], unique=True, schema="control"
    )
    op.create_table(
        "billing_accounts",
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("commune_code", sa.Integer(), nullable=False),
        sa.Column("plan_code", sa.String(length=40), nullable=False),
        sa.Column("stripe_customer_id", sa.String(length=100), nullable=True),
        sa.Column("stripe_subscription_id", sa.String(length=100), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("unpaid_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("notice_sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("suspended_for_billing_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_code"], ["control.billing_plans.code"], name=op.f("fk_billing_accounts_plan_code_billing_plans")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["control.tenants.id"],
            name=op.f("fk_billing_accounts_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", name=op.f("pk_billing_accounts")),
        sa.UniqueConstraint("commune_code", name=op.f("uq_billing_accounts_commune_code")),
        sa.UniqueConstraint("stripe_customer_id", name=op.f("uq_billing_accounts_stripe_customer_id")),
        sa.UniqueConstraint("stripe_subscription_id", name=op.f("uq_billing_accounts_stripe_subscription_id")),
        schema="control",
    )
    op.create_index(op.f("ix_billing_accounts_status"), "billing_accounts", ["status"], unique=False, schema="control")
    op.create_table(
        "billing_usage_reports",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("commune_code", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("meter", sa.String(length=40), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=100), nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["control.tenants.id"],
            name=op.f("fk_billing_usage_reports_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_usage_reports")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_billing_usage_reports_idempotency_key")),
        schema="control",
    )
    op.create_index(
        op.f("ix_billing_usage_reports_tenant_id"),
        "billing_usage_reports",
        ["tenant_id"],
        unique=False,
        schema="control",
    )
    op.create_index(
        "uq_billing_usage_reports_key",
        "billing_usage_reports",
        ["commune_code", "period", "meter"],
        unique=True,
        schema="control",
    )


def downgrade() -> None:

    op.drop_index("uq_billing_usage_reports_key", table_name="billing_usage_reports", schema="control")
    op.drop_index(op.f("ix_billing_usage_reports_tenant_id"), table_name="billing_usage_reports", schema="control")
    op.drop_table("billing_usage_reports", schema="control")
    op.drop_index(op.f("ix_billing_accounts_status"), table_name="billing_accounts", schema="control")
    op.drop_table("billing_accounts", schema="control")
    op.drop_index("uq_webhook_inbox_source_event", table_name="webhook_inbox", schema="control")
    op.drop_table("webhook_inbox", schema="control")
    op.drop_table("billing_plans", schema="control")
