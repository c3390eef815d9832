"""Working age, application channels, device locations

Revision ID: t0014
Revises: t0013
Create Date: 2026-11-21

- criteria: `params` (per-indicator parameters such as the working-age bounds; `{}` = the defaults).
- applications: `channel` (online | counter; every earlier application was a resident's own online
  submission, hence the default), who registered a counter application, and `applicant` may be empty
  (a counter applicant without an account).
- devices: a position (latitude, longitude) for the devices map layer.
- listing_requests: the client address of a public booking/order, counted by the rate limit, with the
  indexes the limit's per-phone and per-address counts use.
Expand-only: new nullable columns or constant defaults (no table rewrite), one NOT NULL dropped.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "t0014"
down_revision = "t0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "criteria",
        sa.Column(
            "params", postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False
        ),
    )
    op.add_column("applications", sa.Column("channel", sa.String(length=20), server_default="online", nullable=False))
    op.add_column("applications", sa.Column("registered_by", sa.String(length=120), nullable=True))
    op.alter_column("applications", "applicant", existing_type=sa.String(length=64), nullable=True)
    op.add_column("devices", sa.Column("latitude", sa.Float(), nullable=True))
    op.add_column("devices", sa.Column("longitude", sa.Float(), nullable=True))
    op.add_column("listing_requests", sa.Column("client_ip", sa.String(length=45), nullable=True))
    op.create_index("ix_listing_requests_phone_created_at", "listing_requests", ["phone", "created_at"])
    op.create_index("ix_listing_requests_client_ip_created_at", "listing_requests", ["client_ip", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_listing_requests_client_ip_created_at", table_name="listing_requests")
    op.drop_index("ix_listing_requests_phone_created_at", table_name="listing_requests")
    op.drop_column("listing_requests", "client_ip")
    op.drop_column("devices", "longitude")
    op.drop_column("devices", "latitude")
    op.alter_column("applications", "applicant", existing_type=sa.String(length=64), nullable=False)
    op.drop_column("applications", "registered_by")
    op.drop_column("applications", "channel")
    op.drop_column("criteria", "params")
