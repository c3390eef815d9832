"""Commune settings and branding

Revision ID: t0015
Revises: t0014
Create Date: 2026-11-21

One row per commune schema (`id = 1`): display name, primary colour, logo (a stored file), office contacts
and hours.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "t0015"
down_revision = "t0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "commune_settings",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=True),
        sa.Column("primary_color", sa.String(length=7), nullable=True),
        sa.Column("logo_file_id", postgresql.UUID(as_uuid=True), nullable=True),
        sa.Column("contact_phone", sa.String(length=30), nullable=True),
        sa.Column("contact_email", sa.String(length=254), nullable=True),
        sa.Column("address", sa.String(length=300), nullable=True),
        sa.Column("office_hours", sa.String(length=500), nullable=True),
        sa.Column("updated_by", sa.String(length=120), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_commune_settings_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commune_settings")),
    )


def downgrade() -> None:
    op.drop_table("commune_settings")
