"""control catalog

Revision ID: c0001
Revises:
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "c0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "casbin_rule",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("ptype", sa.String(length=8), nullable=False),
        sa.Column("v0", sa.String(length=255), server_default="", nullable=False),
        sa.Column("v1", sa.String(length=255), server_default="", nullable=False),
        sa.Column("v2", sa.String(length=255), server_default="", nullable=False),
        sa.Column("v3", sa.String(length=255), server_default="", nullable=False),
        sa.Column("v4", sa.String(length=255), server_default="", nullable=False),
        sa.Column("v5", sa.String(length=255), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_casbin_rule")),
        schema="control",
    )
    op.create_index("ix_casbin_rule_domain", "casbin_rule", ["ptype", "v2"], unique=False, schema="control")
    op.create_index(
        "uq_casbin_rule_line",
        "casbin_rule",
        ["ptype", "v0", "v1", "v2", "v3", "v4", "v5"],
        unique=True,
        schema="control",
    )
    op.create_table(
        "identity_accounts",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("realm", sa.String(length=40), nullable=False),
        sa.Column("commune_code", sa.Integer(), nullable=True),
        sa.Column("username", sa.String(length=120), nullable=True),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=True),
        sa.Column("realm_roles", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_accounts")),
        schema="control",
    )
    op.create_index(
        op.f("ix_identity_accounts_commune_code"),
        "identity_accounts",
        ["commune_code"],
        unique=False,
        schema="control",
    )
    op.create_index(
        "uq_identity_accounts_phone",
        "identity_accounts",
        ["realm", "commune_code", "phone"],
        unique=True,
        schema="control",
    )
    op.create_index(
        "uq_identity_accounts_username",
        "identity_accounts",
        ["realm", "username"],
        unique=True,
        schema="control",
    )
    op.create_table(
        "otp_challenges",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("commune_code", sa.Integer(), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("code_hash", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_otp_challenges")),
        schema="control",
    )
    op.create_index(
        "ix_otp_challenges_phone",
        "otp_challenges",
        ["commune_code", "phone", "created_at"],
        unique=False,
        schema="control",
    )
    op.create_table(
        "signing_keys",
        sa.Column("kid", sa.String(length=64), nullable=False),
        sa.Column("private_pem", sa.Text(), nullable=False),
        sa.Column("public_jwk", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("kid", name=op.f("pk_signing_keys")),
        schema="control",
    )
    op.create_table(
        "tenants",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("slug", sa.String(length=63), nullable=False),
        sa.Column("commune_code", sa.Integer(), nullable=False),
        sa.Column("province_code", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("province_name", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("plan", sa.String(length=40), nullable=False),
        sa.Column("template", sa.String(length=60), nullable=False),
        sa.Column("schema_name", sa.String(length=63), nullable=False),
        sa.Column("role_name", sa.String(length=63), nullable=False),
        sa.Column("schema_revision", sa.String(length=64), nullable=False),
        sa.Column("suspended_reason", sa.Text(), nullable=True),
        sa.Column("search_text", sa.Text(), server_default="", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tenants")),
        sa.UniqueConstraint("commune_code", name=op.f("uq_tenants_commune_code")),
        sa.UniqueConstraint("role_name", name=op.f("uq_tenants_role_name")),
        sa.UniqueConstraint("schema_name", name=op.f("uq_tenants_schema_name")),
        sa.UniqueConstraint("slug", name=op.f("uq_tenants_slug")),
        schema="control",
    )
    op.create_index(op.f("ix_tenants_province_code"), "tenants", ["province_code"], unique=False, schema="control")
    op.create_index(op.f("ix_tenants_schema_revision"), "tenants", ["schema_revision"], unique=False, schema="control")
    op.create_index(op.f("ix_tenants_status"), "tenants", ["status"], unique=False, schema="control")
    op.create_table(
        "migration_ledger",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("run_id", sa.UUID(), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("commune_code", sa.Integer(), nullable=False),
        sa.Column("from_revision", sa.String(length=64), nullable=False),
        sa.Column("to_revision", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("duration_ms", sa.Double(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["control.tenants.id"],
            name=op.f("fk_migration_ledger_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_migration_ledger")),
        schema="control",
    )
    op.create_index(op.f("ix_migration_ledger_run_id"), "migration_ledger", ["run_id"], unique=False, schema="control")
    op.create_index(
        op.f("ix_migration_ledger_tenant_id"),
        "migration_ledger",
        ["tenant_id"],
        unique=False,
        schema="control",
    )
    op.create_table(
        "tenant_domains",
        sa.Column("hostname", sa.String(length=253), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["control.tenants.id"],
            name=op.f("fk_tenant_domains_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("hostname", name=op.f("pk_tenant_domains")),
        schema="control",
    )
    op.create_index(
        op.f("ix_tenant_domains_tenant_id"), "tenant_domains", ["tenant_id"], unique=False, schema="control"
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_tenant_domains_tenant_id"), table_name="tenant_domains", schema="control")
    op.drop_table("tenant_domains", schema="control")
    op.drop_index(op.f("ix_migration_ledger_tenant_id"), table_name="migration_ledger", schema="control")
    op.drop_index(op.f("ix_migration_ledger_run_id"), table_name="migration_ledger", schema="control")
    op.drop_table("migration_ledger", schema="control")
    op.drop_index(op.f("ix_tenants_status"), table_name="tenants", schema="control")
    op.drop_index(op.f("ix_tenants_schema_revision"), table_name="tenants", schema="control")
    op.drop_index(op.f("ix_tenants_province_code"), table_name="tenants", schema="control")
    op.drop_table("tenants", schema="control")
    op.drop_table("signing_keys", schema="control")
    op.drop_index("ix_otp_challenges_phone", table_name="otp_challenges", schema="control")
    op.drop_table("otp_challenges", schema="control")
    op.drop_index("uq_identity_accounts_username", table_name="identity_accounts", schema="control")
    op.drop_index("uq_identity_accounts_phone", table_name="identity_accounts", schema="control")
    op.drop_index(op.f("ix_identity_accounts_commune_code"), table_name="identity_accounts", schema="control")
    op.drop_table("identity_accounts", schema="control")
    op.drop_index("uq_casbin_rule_line", table_name="casbin_rule", schema="control")
    op.drop_index("ix_casbin_rule_domain", table_name="casbin_rule", schema="control")
    op.drop_table("casbin_rule", schema="control")
