"""Reports carry the app's own submission id, unique per reporter (resends return the same report)

Revision ID: t0016
Revises: t0015
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "t0016"
down_revision = "t0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("reports", sa.Column("client_ref", postgresql.UUID(as_uuid=True), nullable=True))
    op.create_index(
        "uq_reports_reporter_client_ref",
        "reports",
        ["reporter", "client_ref"],
        unique=True,
        postgresql_where=sa.text("client_ref IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("uq_reports_reporter_client_ref", table_name="reports")
    op.drop_column("reports", "client_ref")
