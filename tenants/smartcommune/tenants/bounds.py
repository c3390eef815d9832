"""Integer bounds of PostgreSQL's column types, for request schemas: `Field(ge=0, le=INT_MAX)`.

The HTTP input policy (`smartcommune.platform.http.policy`) already refuses anything outside BIGINT on
every route; a field stored in an INTEGER or SMALLINT column says so with these bounds, and
`tests/platform/api/test_schema_columns.py` checks every request schema against its table.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

BIGINT_MIN = -(2**63)
BIGINT_MAX = 2**63 - 1
INT_MIN = -(2**31)
INT_MAX = 2**31 - 1
SMALLINT_MIN = -(2**15)
SMALLINT_MAX = 2**15 - 1

Id = Annotated[int, Field(ge=BIGINT_MIN, le=BIGINT_MAX)]
"""A BIGINT key (path ids, foreign keys in bodies)."""
Int32 = Annotated[int, Field(ge=INT_MIN, le=INT_MAX)]
"""A value stored in an INTEGER column."""
