"""First admin login handover and plans

Revision ID: c0008
Revises: c0007
Create Date: 2026-12-07

Reserved slot: filled in by the change that builds these tables (the revision chain is fixed in advance
so parallel work does not create several heads).
"""

from __future__ import annotations

revision = "c0008"
down_revision = "c0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
