"""Admin console: operations and finance

Revision ID: t0021
Revises: t0020
Create Date: 2026-12-07

Reserved slot: filled in by the change that builds these tables (the revision chain is fixed in advance
so parallel work does not create several heads).
"""

from __future__ import annotations

revision = "t0021"
down_revision = "t0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
