"""Global device index for broker authentication

Revision ID: c0003
Revises: c0002
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "c0003"
down_revision = "c0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "device_index",
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("commune_code", sa.Integer(), nullable=False),
        sa.Column("device_uid", sa.String(length=64), nullable=False),
        sa.Column("password_hash", sa.String(length=300), nullable=False),
        sa.Column("enabled", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("username", name=op.f("pk_device_index")),
        schema="control",
    )
    op.create_index(
        op.f("ix_device_index_commune_code"), "device_index", ["commune_code"], unique=False, schema="control"
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_device_index_commune_code"), table_name="device_index", schema="control")
    op.drop_table("device_index", schema="control")
