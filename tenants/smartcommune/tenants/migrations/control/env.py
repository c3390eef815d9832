"""alembic env for the control schema (CLI use: `alembic -n control ...`)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, text

from smartcommune.tenants.control.models import CONTROL_SCHEMA, control_metadata
from smartcommune.tenants.database import owner_engine

config = context.config
connection = config.attributes.get("connection")


def _run(conn: Connection) -> None:
    context.configure(
        connection=conn,
        target_metadata=control_metadata,
        version_table_schema=CONTROL_SCHEMA,
        include_schemas=True,
        include_name=lambda name, type_, parent: type_ != "schema" or name == CONTROL_SCHEMA,
    )
    with context.begin_transaction():
        context.run_migrations()


if connection is not None:
    _run(connection)
else:
    with owner_engine().begin() as conn:
        conn.execute(text(f"CREATE SCHEMA IF NOT EXISTS {CONTROL_SCHEMA}"))
    with owner_engine().connect() as conn:
        _run(conn)
        conn.commit()
