"""Operations: ONVIF, device presence, telemetry throughput

Revision ID: t0009
Revises: t0008
Create Date: 2026-11-21

Cameras: manufacturer, firmware and the ONVIF device service URL (GetDeviceInformation). Devices: the
presence last notified (online/offline by inactivity timeout) and when it changed. Expand-only: new
nullable / defaulted columns, no rewrite of existing rows.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "t0009"
down_revision = "t0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("cameras", sa.Column("manufacturer", sa.String(length=120), nullable=True))
    op.add_column("cameras", sa.Column("firmware", sa.String(length=120), nullable=True))
    op.add_column("cameras", sa.Column("onvif_xaddr", sa.String(length=500), nullable=True))
    op.add_column("devices", sa.Column("presence", sa.String(length=20), server_default="unknown", nullable=False))
    op.add_column("devices", sa.Column("presence_changed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column("devices", "presence_changed_at")
    op.drop_column("devices", "presence")
    op.drop_column("cameras", "onvif_xaddr")
    op.drop_column("cameras", "firmware")
    op.drop_column("cameras", "manufacturer")
