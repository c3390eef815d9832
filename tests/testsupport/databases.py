"""Throwaway databases on the test server (DATABASE_URL's, else the embedded pgserver)."""

from __future__ import annotations

import os
import uuid

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
