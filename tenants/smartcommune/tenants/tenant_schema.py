"""The metadata every commune schema is built from. Tables are unqualified: the search_path picks the schema.

Keys are BIGINT or UUID and nothing points into `control` or another commune, which keeps Citus
schema-based sharding open. BIGINT keys all draw from the schema's one sequence, `ids`: an identity
column per table would be a sequence relation per table, 60 of a commune's ~375 relations, paid again
by every commune created and carried in the catalog of the whole fleet.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, MetaData, Sequence
from sqlalchemy.orm import DeclarativeBase, MappedColumn, mapped_column

from smartcommune.tenants.control.models import NAMING

tenant_metadata = MetaData(naming_convention=NAMING)

COMMUNE_IDS = Sequence("ids", metadata=tenant_metadata)


def commune_id(**kwargs: Any) -> MappedColumn[Any]:
    """A table's BIGINT key, from the schema's `ids` sequence (also the column's server default, for COPY)."""
    return mapped_column(BigInteger, COMMUNE_IDS, server_default=COMMUNE_IDS.next_value(), primary_key=True, **kwargs)


class TenantBase(DeclarativeBase):
    metadata = tenant_metadata
