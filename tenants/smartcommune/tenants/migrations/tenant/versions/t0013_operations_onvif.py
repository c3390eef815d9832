"""Camera device information and operations additions

Revision ID: t0013
Revises: t0012
Create Date: 2026-11-21

Cameras: the serial number ONVIF GetDeviceInformation reports (manufacturer, model and firmware have
columns since t0009) and when the device information was last refreshed. Expand-only: nullable
columns, no rewrite of existing rows. Alarms: the device-profile alarm rule that raised an alarm
(profile rules have no row of their own; `rule_id` stays for the commune's threshold rules).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "t0013"
down_revision = "t0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("cameras", sa.Column("serial_number", sa.String(length=120), nullable=True))
    op.add_column("cameras", sa.Column("onvif_refreshed_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("alarms", sa.Column("profile_rule", sa.String(length=100), nullable=True))


def downgrade() -> None:
    op.drop_column("alarms", "profile_rule")
    op.drop_column("cameras", "onvif_refreshed_at")
    op.drop_column("cameras", "serial_number")
