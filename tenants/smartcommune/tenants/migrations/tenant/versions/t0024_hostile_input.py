"""Hostile input and abuse

Revision ID: t0024
Revises: t0023
Create Date: 2026-12-07

`production_logs.notes_public`: the free-text notes of a production log reach the public trace page (HTML
and JSON) only when marked public; existing notes and new ones are internal by default.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "t0024"
down_revision = "t0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "production_logs",
        sa.Column("notes_public", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    op.drop_column("production_logs", "notes_public")
