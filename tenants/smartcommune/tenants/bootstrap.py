"""Make a database ready: control schema at head, the app login role and its grants."""

from __future__ import annotations

from sqlalchemy import Engine, text

from smartcommune.tenants.control.models import CONTROL_SCHEMA
from smartcommune.tenants.database import quote_ident, role_names
from smartcommune.tenants.migrations.runtime import upgrade_control
from smartcommune.tenants.settings import get_settings


def ensure_app_role(engine: Engine) -> None:
    """The login role of the API and workers: DML on control, nothing on communes except via SET ROLE.

    NOINHERIT means membership in a commune role grants nothing until `SET LOCAL ROLE` is issued.
    """
    app = role_names().app
    password = get_settings().app_db_password
    with engine.begin() as conn:
        conn.execute(text("SELECT pg_advisory_xact_lock(hashtext('smartcommune.app_role'))"))
        exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": app}).first()
        if not exists:
            conn.exec_driver_sql(f"CREATE ROLE {quote_ident(app)} LOGIN NOINHERIT")
        if password:
            conn.exec_driver_sql(f"ALTER ROLE {quote_ident(app)} PASSWORD %s", (password,))
        database = conn.execute(text("SELECT current_database()")).scalar_one()
        conn.exec_driver_sql(f'GRANT CONNECT ON DATABASE "{database}" TO {quote_ident(app)}')
        conn.exec_driver_sql(
            f"GRANT USAGE ON SCHEMA {CONTROL_SCHEMA} TO {quote_ident(app)}; "
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {CONTROL_SCHEMA} TO {quote_ident(app)}; "
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {CONTROL_SCHEMA} TO {quote_ident(app)}; "
            f"REVOKE INSERT, UPDATE, DELETE ON {CONTROL_SCHEMA}.alembic_version FROM {quote_ident(app)}; "
            f"REVOKE INSERT, UPDATE, DELETE ON {CONTROL_SCHEMA}.migration_ledger FROM {quote_ident(app)}"
        )


def bootstrap(engine: Engine) -> None:
    upgrade_control(engine)
    ensure_app_role(engine)
