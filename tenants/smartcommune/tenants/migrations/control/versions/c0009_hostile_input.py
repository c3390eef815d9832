"""Login throttling, OTP limits, site network approvals

Revision ID: c0009
Revises: c0008
Create Date: 2026-12-07

Reserved slot: filled in by the change that builds these tables (the revision chain is fixed in advance
so parallel work does not create several heads).
"""

from __future__ import annotations

revision = "c0009"
down_revision = "c0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
