"""Login throttling, OTP limits, site network approvals

Revision ID: c0009
Revises: c0008
Create Date: 2026-12-07

Reserved slot: filled in by the change that builds these tables (the revision chain is fixed in advance
so parallel work does not create several heads).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "c0009"
down_revision = "c0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    _h8_upgrade()


def downgrade() -> None:
    _h8_downgrade()


# --- h8: camera site network requests (commune requests, provider approves) ----------------------------------
def _h8_upgrade() -> None:
    op.create_table(
        "site_network_requests",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("commune_code", sa.Integer(), nullable=False),
        sa.Column("cidr", sa.String(length=64), nullable=False),
        sa.Column("note", sa.String(length=200), server_default="", nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("requested_by", sa.String(length=120), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("decided_by", sa.String(length=120), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.String(length=300), server_default="", nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["control.tenants.id"],
            name=op.f("fk_site_network_requests_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_site_network_requests")),
        schema="control",
    )
    for column in ("tenant_id", "status"):
        op.create_index(
            op.f(f"ix_site_network_requests_{column}"),
            "site_network_requests",
            [column],
            unique=False,
            schema="control",
        )


def _h8_downgrade() -> None:
    op.drop_table("site_network_requests", schema="control")


# --- end h8 ---
