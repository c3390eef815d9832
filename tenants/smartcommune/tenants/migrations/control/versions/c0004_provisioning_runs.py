"""Provisioning runs, steps and rollouts

Revision ID: c0004
Revises: c0003
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "c0004"
down_revision = "c0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "provisioning_rollouts",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("scope", sa.String(length=200), nullable=False),
        sa.Column("template", sa.String(length=60), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("requested_by", sa.String(length=120), nullable=False),
        sa.Column("rejected", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provisioning_rollouts")),
        schema="control",
    )
    op.create_table(
        "provisioning_runs",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("rollout_id", sa.UUID(), nullable=True),
        sa.Column("commune_code", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=63), nullable=True),
        sa.Column("template", sa.String(length=60), nullable=False),
        sa.Column("spec", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("current_step", sa.String(length=40), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["rollout_id"],
            ["control.provisioning_rollouts.id"],
            name=op.f("fk_provisioning_runs_rollout_id_provisioning_rollouts"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provisioning_runs")),
        schema="control",
    )
    op.create_index(
        op.f("ix_provisioning_runs_rollout_id"), "provisioning_runs", ["rollout_id"], unique=False, schema="control"
    )
    op.create_index(
        op.f("ix_provisioning_runs_commune_code"), "provisioning_runs", ["commune_code"], unique=False, schema="control"
    )
    op.create_index(
        op.f("ix_provisioning_runs_status"), "provisioning_runs", ["status"], unique=False, schema="control"
    )
    op.create_table(
        "provisioning_steps",
        sa.Column("run_id", sa.UUID(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("duration_ms", sa.Float(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("output", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["control.provisioning_runs.id"],
            name=op.f("fk_provisioning_steps_run_id_provisioning_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("run_id", "name", name=op.f("pk_provisioning_steps")),
        schema="control",
    )


def downgrade() -> None:
    op.drop_table("provisioning_steps", schema="control")
    op.drop_index(op.f("ix_provisioning_runs_status"), table_name="provisioning_runs", schema="control")
    op.drop_index(op.f("ix_provisioning_runs_commune_code"), table_name="provisioning_runs", schema="control")
    op.drop_index(op.f("ix_provisioning_runs_rollout_id"), table_name="provisioning_runs", schema="control")
    op.drop_table("provisioning_runs", schema="control")
    op.drop_table("provisioning_rollouts", schema="control")
