"""alembic env for commune schemas (CLI use: `alembic -n tenant -x schema=c_19597 ...`).

The fleet runner (`smartcommune migrate`) does not go through this file; it drives the same scripts
directly, one transaction per commune. This is for writing new revisions with autogenerate.
"""

from __future__ import annotations

import importlib

from alembic import context
from sqlalchemy import text

from smartcommune.tenants.database import owner_engine, quote_ident
from smartcommune.tenants.tenant_schema import tenant_metadata

# The feature modules register their tables on tenant_metadata when the composition root is imported.
importlib.import_module("smartcommune.platform.tenant_models")

config = context.config
schema = context.get_x_argument(as_dictionary=True).get("schema", "tenant_scratch")

with owner_engine().connect() as conn:
    conn.execute(text(f"CREATE SCHEMA IF NOT EXISTS {quote_ident(schema)}"))
    conn.execute(text(f"SET search_path TO {quote_ident(schema)}"))  # a throwaway CLI connection
    context.configure(
        connection=conn,
        target_metadata=tenant_metadata,
        version_table_schema=schema,
        include_name=lambda name, type_, _parent: not (type_ == "table" and name == "alembic_version"),
    )
    with context.begin_transaction():
        context.run_migrations()
    conn.commit()
