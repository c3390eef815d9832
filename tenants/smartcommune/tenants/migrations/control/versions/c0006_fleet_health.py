"""Fleet health snapshots

Revision ID: c0006
Revises: c0005
Create Date: 2026-11-21

One row per commune, rewritten by the fleet-health beat job (smartcommune.provisioning.fleet): cameras and
devices offline, open and overdue field reports. The provider console reads a page of it in one query
instead of visiting every commune's schema per request.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "c0006"
down_revision = "c0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "fleet_health",
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("commune_code", sa.Integer(), nullable=False),
        sa.Column("cameras_total", sa.Integer(), server_default="0", nullable=False),
        sa.Column("cameras_offline", sa.Integer(), server_default="0", nullable=False),
        sa.Column("devices_total", sa.Integer(), server_default="0", nullable=False),
        sa.Column("devices_offline", sa.Integer(), server_default="0", nullable=False),
        sa.Column("reports_open", sa.Integer(), server_default="0", nullable=False),
        sa.Column("reports_overdue", sa.Integer(), server_default="0", nullable=False),
        sa.Column("problems", sa.Integer(), server_default="0", nullable=False),
        sa.Column("error", sa.String(length=300), nullable=True),
        sa.Column("computed_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["control.tenants.id"],
            name=op.f("fk_fleet_health_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", name=op.f("pk_fleet_health")),
        sa.UniqueConstraint("commune_code", name=op.f("uq_fleet_health_commune_code")),
        schema="control",
    )
    op.create_index(op.f("ix_fleet_health_problems"), "fleet_health", ["problems"], unique=False, schema="control")


def downgrade() -> None:
    op.drop_index(op.f("ix_fleet_health_problems"), table_name="fleet_health", schema="control")
    op.drop_table("fleet_health", schema="control")
