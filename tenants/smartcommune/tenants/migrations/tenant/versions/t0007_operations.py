"""Cameras, devices, telemetry, rules and alarms

Revision ID: t0007
Revises: t0006
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "t0007"
down_revision = "t0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cameras",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("location", sa.String(length=300), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("stream_url", sa.String(length=1000), nullable=False),
        sa.Column("username_enc", sa.Text(), nullable=True),
        sa.Column("password_enc", sa.Text(), nullable=True),
        sa.Column("profile", sa.String(length=40), nullable=False),
        sa.Column("zones", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("masks", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("sensitivity", sa.Integer(), nullable=False),
        sa.Column("min_area", sa.Float(), nullable=False),
        sa.Column("motion_enabled", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("status_reason", sa.String(length=40), nullable=True),
        sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_checked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_frame_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_probe_ms", sa.Float(), nullable=True),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("fps", sa.Float(), nullable=True),
        sa.Column("codec", sa.String(length=20), nullable=True),
        sa.Column("model", sa.String(length=120), nullable=True),
        sa.Column("snapshot_file_id", sa.UUID(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cameras")),
    )
    op.create_index(op.f("ix_cameras_status"), "cameras", ["status"], unique=False)
    op.create_table(
        "device_profiles",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("fields", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("commands", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("alarm_rules", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_device_profiles")),
        sa.UniqueConstraint("code", name=op.f("uq_device_profiles_code")),
    )
    op.create_table(
        "site_networks",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("cidr", sa.String(length=64), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_site_networks")),
        sa.UniqueConstraint("cidr", name=op.f("uq_site_networks_cidr")),
    )
    op.create_table(
        "telemetry",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("device_id", sa.BigInteger(), nullable=False),
        sa.Column("ts", sa.DateTime(timezone=True), nullable=False),
        sa.Column("data", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_telemetry")),
    )
    op.create_index("ix_telemetry_device_id_ts", "telemetry", ["device_id", "ts"], unique=False)
    op.create_table(
        "telemetry_dead_letters",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("device_uid", sa.String(length=64), nullable=False),
        sa.Column("topic", sa.String(length=300), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("reason", sa.String(length=60), nullable=False),
        sa.Column("detail", sa.String(length=300), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_telemetry_dead_letters")),
    )
    op.create_index(
        op.f("ix_telemetry_dead_letters_device_uid"), "telemetry_dead_letters", ["device_uid"], unique=False
    )
    op.create_table(
        "camera_events",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("camera_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("peak_area", sa.Float(), nullable=False),
        sa.Column("snapshot_file_id", sa.UUID(), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("incident_title", sa.String(length=300), nullable=True),
        sa.Column("incident_note", sa.Text(), nullable=True),
        sa.Column("field_report_id", sa.String(length=64), nullable=True),
        sa.Column("promoted_by", sa.String(length=120), nullable=True),
        sa.Column("promoted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["camera_id"], ["cameras.id"], name=op.f("fk_camera_events_camera_id_cameras"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_camera_events")),
    )
    op.create_index("ix_camera_events_camera_id_id", "camera_events", ["camera_id", "id"], unique=False)
    op.create_index(op.f("ix_camera_events_started_at"), "camera_events", ["started_at"], unique=False)
    op.create_index(op.f("ix_camera_events_state"), "camera_events", ["state"], unique=False)
    op.create_table(
        "devices",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("uid", sa.String(length=64), nullable=False),
        sa.Column("serial", sa.String(length=120), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("profile_id", sa.BigInteger(), nullable=False),
        sa.Column("location", sa.String(length=300), nullable=False),
        sa.Column("mqtt_username", sa.String(length=100), nullable=False),
        sa.Column("credentials_issued_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["profile_id"], ["device_profiles.id"], name=op.f("fk_devices_profile_id_device_profiles")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_devices")),
        sa.UniqueConstraint("mqtt_username", name=op.f("uq_devices_mqtt_username")),
        sa.UniqueConstraint("uid", name=op.f("uq_devices_uid")),
    )
    op.create_index(op.f("ix_devices_last_seen_at"), "devices", ["last_seen_at"], unique=False)
    op.create_index(op.f("ix_devices_profile_id"), "devices", ["profile_id"], unique=False)
    op.create_table(
        "device_commands",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("device_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("params", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("requested_by", sa.String(length=120), nullable=False),
        sa.Column("timeout_s", sa.Integer(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("responded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("result", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.ForeignKeyConstraint(
            ["device_id"], ["devices.id"], name=op.f("fk_device_commands_device_id_devices"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_device_commands")),
    )
    op.create_index(op.f("ix_device_commands_device_id"), "device_commands", ["device_id"], unique=False)
    op.create_index(op.f("ix_device_commands_status"), "device_commands", ["status"], unique=False)
    op.create_table(
        "device_rules",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("sensor_device_id", sa.BigInteger(), nullable=True),
        sa.Column("field", sa.String(length=60), nullable=True),
        sa.Column("op", sa.String(length=10), nullable=True),
        sa.Column("threshold", sa.Float(), nullable=True),
        sa.Column("clear_threshold", sa.Float(), nullable=True),
        sa.Column("duration_s", sa.Integer(), nullable=False),
        sa.Column("target_device_id", sa.BigInteger(), nullable=True),
        sa.Column("command", sa.String(length=60), nullable=True),
        sa.Column("params", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("notify", sa.Boolean(), nullable=False),
        sa.Column("time_of_day", sa.String(length=5), nullable=True),
        sa.Column("duration_min", sa.Integer(), nullable=True),
        sa.Column("rain_device_id", sa.BigInteger(), nullable=True),
        sa.Column("rain_field", sa.String(length=60), nullable=True),
        sa.Column("rain_threshold", sa.Float(), nullable=True),
        sa.Column("rain_window_h", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("pending_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_run_on", sa.Date(), nullable=True),
        sa.Column("last_outcome", sa.String(length=40), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["rain_device_id"], ["devices.id"], name=op.f("fk_device_rules_rain_device_id_devices"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["sensor_device_id"],
            ["devices.id"],
            name=op.f("fk_device_rules_sensor_device_id_devices"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target_device_id"],
            ["devices.id"],
            name=op.f("fk_device_rules_target_device_id_devices"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_device_rules")),
    )
    op.create_index(op.f("ix_device_rules_sensor_device_id"), "device_rules", ["sensor_device_id"], unique=False)
    op.create_table(
        "alarms",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("device_id", sa.BigInteger(), nullable=False),
        sa.Column("rule_id", sa.BigInteger(), nullable=True),
        sa.Column("severity", sa.String(length=20), nullable=False),
        sa.Column("message", sa.String(length=300), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("acknowledged_by", sa.String(length=120), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cleared_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["device_id"], ["devices.id"], name=op.f("fk_alarms_device_id_devices"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["rule_id"], ["device_rules.id"], name=op.f("fk_alarms_rule_id_device_rules"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alarms")),
    )
    op.create_index(op.f("ix_alarms_device_id"), "alarms", ["device_id"], unique=False)
    op.create_index(op.f("ix_alarms_state"), "alarms", ["state"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_alarms_state"), table_name="alarms")
    op.drop_index(op.f("ix_alarms_device_id"), table_name="alarms")
    op.drop_table("alarms")
    op.drop_index(op.f("ix_device_rules_sensor_device_id"), table_name="device_rules")
    op.drop_table("device_rules")
    op.drop_index(op.f("ix_device_commands_status"), table_name="device_commands")
    op.drop_index(op.f("ix_device_commands_device_id"), table_name="device_commands")
    op.drop_table("device_commands")
    op.drop_index(op.f("ix_devices_profile_id"), table_name="devices")
    op.drop_index(op.f("ix_devices_last_seen_at"), table_name="devices")
    op.drop_table("devices")
    op.drop_index(op.f("ix_camera_events_state"), table_name="camera_events")
    op.drop_index(op.f("ix_camera_events_started_at"), table_name="camera_events")
    op.drop_index("ix_camera_events_camera_id_id", table_name="camera_events")
    op.drop_table("camera_events")
    op.drop_index(op.f("ix_telemetry_dead_letters_device_uid"), table_name="telemetry_dead_letters")
    op.drop_table("telemetry_dead_letters")
    op.drop_index("ix_telemetry_device_id_ts", table_name="telemetry")
    op.drop_table("telemetry")
    op.drop_table("site_networks")
    op.drop_table("device_profiles")
    op.drop_index(op.f("ix_cameras_status"), table_name="cameras")
    op.drop_table("cameras")
