"""Public pages and resident journeys

Revision ID: t0023
Revises: t0022
Create Date: 2026-12-07

When a new field report becomes public (list, map, Open311): `commune_settings.reports_public_after`,
"accepted" (default: once an official has accepted it) or "submitted" (at once, as before); the API
accepts only these two values.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "t0023"
down_revision = "t0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "commune_settings",
        sa.Column("reports_public_after", sa.String(20), nullable=False, server_default="accepted"),
    )


def downgrade() -> None:
    op.drop_column("commune_settings", "reports_public_after")
