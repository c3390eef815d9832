"""Public pages and resident journeys

Revision ID: t0023
Revises: t0022
Create Date: 2026-12-07

Reserved slot: filled in by the change that builds these tables (the revision chain is fixed in advance
so parallel work does not create several heads).
"""

from __future__ import annotations

revision = "t0023"
down_revision = "t0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
