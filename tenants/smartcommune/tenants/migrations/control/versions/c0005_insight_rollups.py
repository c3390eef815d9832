"""Province roll-up snapshots

Revision ID: c0005
Revises: c0004
Create Date: 2026-11-21

`criteria_rollups`: per month, province and indicator, the communes' pooled value (Σ numerators /
Σ denominators) and how many communes meet their own target; recomputing a month replaces its rows.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "c0005"
down_revision = "c0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "criteria_rollups",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("province_code", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("name_vi", sa.String(length=300), nullable=False),
        sa.Column("name_en", sa.String(length=300), nullable=False),
        sa.Column("value_percent", sa.Float(), nullable=True),
        sa.Column("numerator", sa.BigInteger(), nullable=False),
        sa.Column("denominator", sa.BigInteger(), nullable=False),
        sa.Column("communes", sa.Integer(), nullable=False),
        sa.Column("communes_met", sa.Integer(), nullable=False),
        sa.Column("communes_without_data", sa.Integer(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_criteria_rollups")),
        sa.UniqueConstraint("month", "province_code", "code", name="uq_criteria_rollups_month_province_code_code"),
        schema="control",
    )
    op.create_index(
        "ix_criteria_rollups_province_code_month", "criteria_rollups", ["province_code", "month"], schema="control"
    )


def downgrade() -> None:
    op.drop_index("ix_criteria_rollups_province_code_month", table_name="criteria_rollups", schema="control")
    op.drop_table("criteria_rollups", schema="control")
