"""Field reports and Open311, procedures and applications, contacts and library

Revision ID: t0005
Revises: t0004
Create Date: 2026-11-21

Reserved slot: filled in by the change that builds these tables (the revision chain is fixed in advance
so parallel work does not create several heads).
"""

from __future__ import annotations

revision = "t0005"
down_revision = "t0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
