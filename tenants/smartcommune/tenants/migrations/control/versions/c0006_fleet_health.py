"""Fleet health snapshots

Revision ID: c0006
Revises: c0005
Create Date: 2026-11-21

Reserved slot: filled in by the change that builds these tables (the revision chain is fixed in advance
so parallel work does not create several heads).
"""

from __future__ import annotations

revision = "c0006"
down_revision = "c0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
