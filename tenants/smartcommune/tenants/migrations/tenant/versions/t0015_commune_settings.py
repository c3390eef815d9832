"""Commune settings and branding

Revision ID: t0015
Revises: t0014
Create Date: 2026-11-21

Reserved slot: filled in by the change that builds these tables (the revision chain is fixed in advance
so parallel work does not create several heads).
"""

from __future__ import annotations

revision = "t0015"
down_revision = "t0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
