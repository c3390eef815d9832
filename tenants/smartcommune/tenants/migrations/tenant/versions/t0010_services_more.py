"""Commune services: delivery reports, village scopes, archiving, public report indexes

Revision ID: t0010
Revises: t0009
Create Date: 2026-11-21

- `delivery_reports`: the providers' delivery-report callbacks (eSMS.vn, Zalo ZNS), stored once per
  (provider, provider message id); `announcement_deliveries` gains `delivered_at` and an index on the
  provider's message id the callbacks look deliveries up by.
- `village_heads`: which villages a village head speaks for (announcements and the register are scoped).
- `households` / `residents`: `archived_at`, `archived_by` (archived, never deleted: dependent data stays).
- `reports`: partial indexes for the public list and map (non-hidden, newest first).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "t0010"
down_revision = "t0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "delivery_reports",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("provider", sa.String(length=20), nullable=False),
        sa.Column("provider_message_id", sa.String(length=120), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("delivery_id", sa.BigInteger(), nullable=True),
        sa.Column("payload", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery_reports")),
        sa.UniqueConstraint("provider", "provider_message_id", name="uq_delivery_reports_provider_message"),
    )
    op.add_column("announcement_deliveries", sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index(
        "ix_announcement_deliveries_provider_message_id",
        "announcement_deliveries",
        ["channel", "provider_message_id"],
        postgresql_where=sa.text("provider_message_id IS NOT NULL"),
    )
    op.create_table(
        "village_heads",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column("village_id", sa.BigInteger(), nullable=False),
        sa.Column("assigned_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["village_id"], ["villages.id"], name=op.f("fk_village_heads_village_id_villages"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_village_heads")),
        sa.UniqueConstraint("subject", "village_id", name="uq_village_heads_subject_village_id"),
    )
    op.create_index(op.f("ix_village_heads_village_id"), "village_heads", ["village_id"])
    for table in ("households", "residents"):
        op.add_column(table, sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True))
        op.add_column(table, sa.Column("archived_by", sa.String(length=120), nullable=True))
    op.create_index(
        "ix_reports_public_id", "reports", [sa.text("id DESC")], postgresql_where=sa.text("hidden IS false")
    )
    op.create_index(
        "ix_reports_public_map_id",
        "reports",
        [sa.text("id DESC")],
        postgresql_where=sa.text("hidden IS false AND lat IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_reports_public_map_id", table_name="reports")
    op.drop_index("ix_reports_public_id", table_name="reports")
    for table in ("residents", "households"):
        op.drop_column(table, "archived_by")
        op.drop_column(table, "archived_at")
    op.drop_index(op.f("ix_village_heads_village_id"), table_name="village_heads")
    op.drop_table("village_heads")
    op.drop_index("ix_announcement_deliveries_provider_message_id", table_name="announcement_deliveries")
    op.drop_column("announcement_deliveries", "delivered_at")
    op.drop_table("delivery_reports")
