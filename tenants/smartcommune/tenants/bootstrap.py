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


# Diacritics folding for full-text search, created once per database in schema `extensions`.
EXTENSIONS_SCHEMA = "extensions"
FOLD_FUNCTION = f"{EXTENSIONS_SCHEMA}.f_unaccent"


def _vietnamese_translate_table() -> tuple[str, str]:
    """Every Vietnamese letter with a diacritic (both cases, NFC) → its base letter: the fallback of unaccent."""
    import unicodedata

    letters = set("ăâêôơưđĂÂÊÔƠƯĐ")
    for base in "aăâeêioôơuưyAĂÂEÊIOÔƠUƯY":
        for tone in ("\u0300", "\u0301", "\u0309", "\u0303", "\u0323"):
            letters.add(unicodedata.normalize("NFC", base + tone))
    source = "".join(sorted(letters))
    target = "".join({"đ": "d", "Đ": "D"}.get(ch) or unicodedata.normalize("NFKD", ch)[0] for ch in source)
    return source, target


def ensure_text_search(engine: Engine) -> None:
    """`extensions.f_unaccent(text)`: IMMUTABLE (so generated columns and indexes may use it), callable by
    every commune role. It wraps the `unaccent` extension where the server ships it (distribution
    PostgreSQL); the embedded pgserver wheel has no contrib modules, so there it is a `translate()` over
    the Vietnamese letters, which folds Vietnamese text the same way.
    """
    with engine.begin() as conn:
        conn.execute(text("SELECT pg_advisory_xact_lock(hashtext('smartcommune.extensions'))"))
        conn.exec_driver_sql(f"CREATE SCHEMA IF NOT EXISTS {EXTENSIONS_SCHEMA}")
        conn.exec_driver_sql(f"GRANT USAGE ON SCHEMA {EXTENSIONS_SCHEMA} TO PUBLIC")
        exists = conn.execute(
            text("SELECT 1 FROM pg_proc WHERE proname = 'f_unaccent' AND pronamespace = CAST(:s AS regnamespace)"),
            {"s": EXTENSIONS_SCHEMA},
        ).first()
        if exists:
            return
        available = conn.execute(text("SELECT 1 FROM pg_available_extensions WHERE name = 'unaccent'")).first()
        if available:
            conn.exec_driver_sql(f"CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA {EXTENSIONS_SCHEMA}")
            schema = conn.execute(
                text(
                    "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
                    "WHERE e.extname = 'unaccent'"
                )
            ).scalar_one()
            body = f"SELECT {quote_ident(schema)}.unaccent('{quote_ident(schema)}.unaccent'::regdictionary, $1)"
        else:
            source, target = _vietnamese_translate_table()
            body = f"SELECT translate(normalize($1, NFC), '{source}', '{target}')"
        conn.exec_driver_sql(
            f"CREATE FUNCTION {FOLD_FUNCTION}(text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT "
            f"AS $fold$ {body} $fold$"
        )
        conn.exec_driver_sql(f"GRANT EXECUTE ON FUNCTION {FOLD_FUNCTION}(text) TO PUBLIC")


def bootstrap(engine: Engine) -> None:
    upgrade_control(engine)
    ensure_text_search(engine)
    ensure_app_role(engine)
