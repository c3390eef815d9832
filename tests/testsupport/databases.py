"""Throwaway databases on the test server (DATABASE_URL's, else the embedded pgserver)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from sqlalchemy.engine import make_url

from smartcommune.tenants.database import embedded_database_url
from smartcommune.tenants.settings import Settings


def _server_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    settings = Settings()
    return embedded_database_url(settings)


def _libpq(url: str, database: str | None = None) -> str:
    u = make_url(url.replace("postgresql+psycopg://", "postgresql://"))
    if database:
        u = u.set(database=database)
    return u.render_as_string(hide_password=False).replace("postgresql+psycopg://", "postgresql://")


def create_database() -> str:
    """A new empty database on the test server; returns its libpq URL."""
    server = _server_url()
    name = f"sc_test_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(_libpq(server, "postgres"), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return _libpq(server, name)


def drop_database(url: str) -> None:
    """Drop the database and the cluster-wide roles named after it."""
    name = make_url(url).database
    assert name and name.startswith("sc_test_")
    with psycopg.connect(_libpq(url, "postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        roles = conn.execute("SELECT rolname FROM pg_roles WHERE rolname LIKE %s", (name + "\\_%",)).fetchall()
        for (role,) in roles:
            conn.execute(f'DROP ROLE IF EXISTS "{role}"')


@contextmanager
def bootstrapped_database() -> Iterator[str]:
    """A throwaway database, the process pointed at it (env, engines, caches) and bootstrapped; dropped after."""
    from smartcommune.tenants.bootstrap import bootstrap
    from smartcommune.tenants.database import owner_engine, reset_engines
    from smartcommune.tenants.migrations.runtime import reset_caches

    url = create_database()
    previous = {key: os.environ.get(key) for key in ("DATABASE_URL", "ENVIRONMENT")}
    os.environ["DATABASE_URL"] = url
    os.environ["ENVIRONMENT"] = "test"
    reset_engines()
    reset_caches()
    bootstrap(owner_engine())
    try:
        yield url
    finally:
        reset_engines()
        drop_database(url)
        for key, value in previous.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
