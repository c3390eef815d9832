"""Applied templates and customisation tracking

Revision ID: t0011
Revises: t0010
Create Date: 2026-11-21

`template_items` keeps, per item a template wrote (kind, key), the hash of what it last wrote: an upgrade
updates an item only while the commune's row still hashes to it (not customised). `template_applications`
is the history of applications; criteria targets go to the insight module's
`criteria` (through `upsert_criteria_targets`) and are tracked here like every other item.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "t0011"
down_revision = "t0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "template_items",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("template", sa.String(length=60), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_template_items")),
        sa.UniqueConstraint("kind", "key", name=op.f("uq_template_items_kind_key")),
    )
    op.create_table(
        "template_applications",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("template", sa.String(length=60), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("summary", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_template_applications")),
    )


def downgrade() -> None:
    op.drop_table("template_applications")
    op.drop_table("template_items")
