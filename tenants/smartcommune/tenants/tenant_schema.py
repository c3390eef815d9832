"""The metadata every commune schema is built from. Tables are unqualified: the search_path picks the schema.

Keys are BIGINT identity or UUID and nothing points into `control` or another commune, which keeps
Citus schema-based sharding open.
"""

from __future__ import annotations

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from smartcommune.tenants.control.models import NAMING

tenant_metadata = MetaData(naming_convention=NAMING)


class TenantBase(DeclarativeBase):
    metadata = tenant_metadata
