"""Template-written profiles: survey templates, announcement channels, modules

Revision ID: t0012
Revises: t0011
Create Date: 2026-11-21

What a commune template writes where no domain table fits (models: smartcommune.platform.configuration.models):
enabled modules, survey templates, announcement channels, camera profiles, product categories,
production-log types and automation rules per device profile. Each row is keyed by a unique `code`, so
`template_items` tracks it like every other template-written item.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "t0012"
down_revision = "t0011"
branch_labels = None
depends_on = None


def _table(name: str, *columns: sa.Column, created: str = "created_at") -> None:
    op.create_table(
        name,
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("code", sa.String(length=60 if name != "commune_modules" else 40), nullable=False),
        *columns,
        sa.Column(created, sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}")),
        sa.UniqueConstraint("code", name=op.f(f"uq_{name}_code")),
    )


def upgrade() -> None:
    _table("commune_modules", sa.Column("enabled", sa.Boolean(), nullable=False), created="updated_at")
    _table(
        "survey_templates",
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("questions", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    )
    _table(
        "announcement_channels",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("channels", postgresql.ARRAY(sa.String(length=20)), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
    )
    _table(
        "camera_profiles",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("profile", sa.String(length=40), nullable=False),
        sa.Column("sensitivity", sa.Integer(), nullable=False),
    )
    _table("product_categories", sa.Column("name", sa.String(length=200), nullable=False))
    _table(
        "production_log_types",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("log_type", sa.String(length=20), nullable=False),
    )
    _table(
        "automation_rules",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("profile", sa.String(length=60), nullable=False),
        sa.Column("field", sa.String(length=60), nullable=False),
        sa.Column("op", sa.String(length=10), nullable=False),
        sa.Column("threshold", sa.Float(), nullable=False),
        sa.Column("clear_threshold", sa.Float(), nullable=False),
        sa.Column("duration_s", sa.Integer(), nullable=False),
        sa.Column("command", sa.String(length=60), nullable=False),
        sa.Column("params", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    )


def downgrade() -> None:
    for name in (
        "automation_rules",
        "production_log_types",
        "product_categories",
        "camera_profiles",
        "announcement_channels",
        "survey_templates",
        "commune_modules",
    ):
        op.drop_table(name)
