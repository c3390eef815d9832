"""Living commune and demo seed

Revision ID: c0007
Revises: c0006
Create Date: 2026-12-07

Reserved slot: filled in by the change that builds these tables (the revision chain is fixed in advance
so parallel work does not create several heads).
"""

from __future__ import annotations

revision = "c0007"
down_revision = "c0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
