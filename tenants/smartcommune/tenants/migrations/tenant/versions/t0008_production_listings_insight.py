"""Production and traceability, listings, insight and criteria

Revision ID: t0008
Revises: t0007
Create Date: 2026-11-21

Farms, plots, certifications, lots and the production log (smartcommune.platform.production); criteria
and their monthly snapshots (smartcommune.platform.insight); listings and booking/order requests
(smartcommune.platform.listings). `farms.owner_household_id` is a plain BIGINT
reference into the residents register, as in fees.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "t0008"
down_revision = "t0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "criteria",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("name_vi", sa.String(length=300), nullable=False),
        sa.Column("name_en", sa.String(length=300), nullable=False),
        sa.Column("target_percent", sa.Float(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_criteria")),
        sa.UniqueConstraint("code", name=op.f("uq_criteria_code")),
    )
    op.create_table(
        "criteria_snapshots",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("value_percent", sa.Float(), nullable=True),
        sa.Column("target_percent", sa.Float(), nullable=False),
        sa.Column("numerator", sa.BigInteger(), nullable=False),
        sa.Column("denominator", sa.BigInteger(), nullable=False),
        sa.Column("evidence", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_criteria_snapshots")),
        sa.UniqueConstraint("month", "code", name="uq_criteria_snapshots_month_code"),
    )
    op.create_table(
        "farms",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("owner_household_id", sa.BigInteger(), nullable=True),
        sa.Column("producer_name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("commodity", sa.String(length=120), nullable=False),
        sa.Column("area_m2", sa.Float(), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("gtin", sa.String(length=14), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_farms")),
    )
    op.create_index(op.f("ix_farms_owner_household_id"), "farms", ["owner_household_id"], unique=False)
    op.create_table(
        "listings",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("category", sa.String(length=60), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("price_vnd", sa.BigInteger(), nullable=True),
        sa.Column("price_unit", sa.String(length=40), nullable=False),
        sa.Column("contact_name", sa.String(length=200), nullable=False),
        sa.Column("contact_phone", sa.String(length=20), nullable=False),
        sa.Column("shop_links", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("photo_ids", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("farm_id", sa.BigInteger(), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("accepts_card", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_listings")),
    )
    op.create_index(op.f("ix_listings_kind"), "listings", ["kind"], unique=False)
    op.create_table(
        "certifications",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("farm_id", sa.BigInteger(), nullable=False),
        sa.Column("scheme", sa.String(length=20), nullable=False),
        sa.Column("stars", sa.SmallInteger(), nullable=True),
        sa.Column("certificate_no", sa.String(length=80), nullable=False),
        sa.Column("issuer", sa.String(length=200), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["farm_id"], ["farms.id"], name=op.f("fk_certifications_farm_id_farms")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certifications")),
    )
    op.create_index(op.f("ix_certifications_farm_id"), "certifications", ["farm_id"], unique=False)
    op.create_table(
        "listing_requests",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("listing_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("amount_vnd", sa.BigInteger(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("checkout_session_id", sa.String(length=200), nullable=True),
        sa.Column("checkout_url", sa.String(length=1000), nullable=True),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["listing_id"], ["listings.id"], name=op.f("fk_listing_requests_listing_id_listings")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_listing_requests")),
        sa.UniqueConstraint("checkout_session_id", name=op.f("uq_listing_requests_checkout_session_id")),
    )
    op.create_index(op.f("ix_listing_requests_listing_id"), "listing_requests", ["listing_id"], unique=False)
    op.create_table(
        "lots",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("farm_id", sa.BigInteger(), nullable=False),
        sa.Column("product_name", sa.String(length=200), nullable=False),
        sa.Column("gtin", sa.String(length=14), nullable=True),
        sa.Column("quantity", sa.Numeric(precision=14, scale=3), nullable=False),
        sa.Column("unit", sa.String(length=10), nullable=False),
        sa.Column("produced_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source_lot_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["farm_id"], ["farms.id"], name=op.f("fk_lots_farm_id_farms")),
        sa.ForeignKeyConstraint(["source_lot_id"], ["lots.id"], name=op.f("fk_lots_source_lot_id_lots")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lots")),
        sa.UniqueConstraint("code", name=op.f("uq_lots_code")),
    )
    op.create_index(op.f("ix_lots_farm_id"), "lots", ["farm_id"], unique=False)
    op.create_table(
        "plots",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("farm_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("crop", sa.String(length=120), nullable=True),
        sa.Column("area_m2", sa.Float(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["farm_id"], ["farms.id"], name=op.f("fk_plots_farm_id_farms")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plots")),
    )
    op.create_index(op.f("ix_plots_farm_id"), "plots", ["farm_id"], unique=False)
    op.create_table(
        "production_logs",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("farm_id", sa.BigInteger(), nullable=False),
        sa.Column("plot_id", sa.BigInteger(), nullable=True),
        sa.Column("log_type", sa.String(length=20), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("material", sa.String(length=200), nullable=True),
        sa.Column("input_kind", sa.String(length=20), nullable=True),
        sa.Column("amount", sa.Numeric(precision=14, scale=3), nullable=True),
        sa.Column("amount_unit", sa.String(length=10), nullable=True),
        sa.Column("phi_days", sa.Integer(), nullable=True),
        sa.Column("lot_id", sa.BigInteger(), nullable=True),
        sa.Column("source_lot_id", sa.BigInteger(), nullable=True),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["farm_id"], ["farms.id"], name=op.f("fk_production_logs_farm_id_farms")),
        sa.ForeignKeyConstraint(["lot_id"], ["lots.id"], name=op.f("fk_production_logs_lot_id_lots")),
        sa.ForeignKeyConstraint(["plot_id"], ["plots.id"], name=op.f("fk_production_logs_plot_id_plots")),
        sa.ForeignKeyConstraint(["source_lot_id"], ["lots.id"], name=op.f("fk_production_logs_source_lot_id_lots")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_production_logs")),
    )
    op.create_index("ix_production_logs_farm_at", "production_logs", ["farm_id", "at"], unique=False)
    op.create_index(op.f("ix_production_logs_lot_id"), "production_logs", ["lot_id"], unique=False)
    op.create_index(op.f("ix_production_logs_plot_id"), "production_logs", ["plot_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_production_logs_plot_id"), table_name="production_logs")
    op.drop_index(op.f("ix_production_logs_lot_id"), table_name="production_logs")
    op.drop_index("ix_production_logs_farm_at", table_name="production_logs")
    op.drop_table("production_logs")
    op.drop_index(op.f("ix_plots_farm_id"), table_name="plots")
    op.drop_table("plots")
    op.drop_index(op.f("ix_lots_farm_id"), table_name="lots")
    op.drop_table("lots")
    op.drop_index(op.f("ix_listing_requests_listing_id"), table_name="listing_requests")
    op.drop_table("listing_requests")
    op.drop_index(op.f("ix_certifications_farm_id"), table_name="certifications")
    op.drop_table("certifications")
    op.drop_index(op.f("ix_listings_kind"), table_name="listings")
    op.drop_table("listings")
    op.drop_index(op.f("ix_farms_owner_household_id"), table_name="farms")
    op.drop_table("farms")
    op.drop_table("criteria_snapshots")
    op.drop_table("criteria")
