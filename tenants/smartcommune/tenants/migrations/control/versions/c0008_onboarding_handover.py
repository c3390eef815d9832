"""First admin login handover and plans

Revision ID: c0008
Revises: c0007
Create Date: 2026-12-07

The first admin of an onboarded commune gets a one-time password (shown once to the provider, sent by SMS
when a phone is given); the embedded issuer marks such an account so that its first login asks for a new
password (Keycloak's UPDATE_PASSWORD required action does the same there).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "c0008"
down_revision = "c0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "identity_accounts",
        sa.Column("password_change_required", sa.Boolean(), server_default=sa.false(), nullable=False),
        schema="control",
    )


def downgrade() -> None:
    op.drop_column("identity_accounts", "password_change_required", schema="control")
