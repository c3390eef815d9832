"""Login throttling, OTP limits, abuse alarms

Revision ID: c0009
Revises: c0008
Create Date: 2026-12-07

- `login_throttle`: failed password logins per account name (known or not: no enumeration) and per client
  address, with the time until which further attempts are refused (progressive delay, then lockout).
- `otp_challenges.client_addr`: who asked for a code, so codes are limited per address and per commune.
- `abuse_alarms`: what the provider sees when a limit trips (OTP pumping, login guessing).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "c0009"
down_revision = "c0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_throttle",
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False, server_default="0"),
        sa.Column("first_failure_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("locked_until", sa.DateTime(timezone=True)),
        schema="control",
    )
    op.add_column("otp_challenges", sa.Column("client_addr", sa.String(64)), schema="control")
    op.create_index("ix_otp_challenges_client", "otp_challenges", ["client_addr", "created_at"], schema="control")
    op.create_index(
        "ix_otp_challenges_commune_time", "otp_challenges", ["commune_code", "created_at"], schema="control"
    )
    op.create_table(
        "abuse_alarms",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("commune_code", sa.Integer),
        sa.Column("client_addr", sa.String(64)),
        sa.Column("detail", sa.String(500), nullable=False, server_default=""),
        sa.Column("count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        schema="control",
    )
    op.create_index("ix_abuse_alarms_time", "abuse_alarms", ["created_at"], schema="control")
    _h8_upgrade()


def downgrade() -> None:
    _h8_downgrade()
    op.drop_table("abuse_alarms", schema="control")
    op.drop_index("ix_otp_challenges_commune_time", "otp_challenges", schema="control")
    op.drop_index("ix_otp_challenges_client", "otp_challenges", schema="control")
    op.drop_column("otp_challenges", "client_addr", schema="control")
    op.drop_table("login_throttle", schema="control")


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
