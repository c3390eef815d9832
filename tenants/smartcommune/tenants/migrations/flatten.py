"""Fold a rendered migration history into the DDL a new commune schema needs.

Alembic's offline rendering replays history statement by statement: a column added by a later revision
is an `ALTER TABLE … ADD COLUMN` after the table's `CREATE TABLE`. On a brand-new empty table that ALTER
is not free: PostgreSQL 15 checks a new NOT NULL column with a scan that looks up the table's row type
in the catalog, a cost that grows with the number of relations in the database (≈0.6 ms on an empty
cluster, ≈32 ms with 1,000 communes). So, as a pure text transform of alembic's own output:

- `ALTER TABLE t ADD COLUMN <definition>` (no REFERENCES) is appended to `t`'s column list, which is
  where the ALTER would have put it, so column order is the replay's;
- `ALTER TABLE t ALTER COLUMN c DROP NOT NULL` drops `NOT NULL` from `c`'s definition;
- `ALTER TABLE t ALTER COLUMN c DROP IDENTITY` leaves `c` a plain NOT NULL column, and
  `ALTER TABLE t ALTER COLUMN c SET DEFAULT <expr>` gives a column without a default that default;
- a plain `CREATE SEQUENCE s` (it depends on nothing) moves to the top, before any default uses it;
- the version row is inserted once with the final revision instead of being updated per revision.

Anything else about a table (another kind of ALTER, DROP, RENAME, a second CREATE) stops folding for
that table: later statements on it stay where they are, in order. A test compares the catalog this
builds with the one replaying history builds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_CREATE = re.compile(r"CREATE TABLE (\w+) \(\n(.*)\n\)", re.DOTALL)
_ADD_COLUMN = re.compile(r"ALTER TABLE (\w+) ADD COLUMN (\w+ .+)", re.DOTALL)
_DROP_NOT_NULL = re.compile(r"ALTER TABLE (\w+) ALTER COLUMN (\w+) DROP NOT NULL")
_DROP_IDENTITY = re.compile(r"ALTER TABLE (\w+) ALTER COLUMN (\w+) DROP IDENTITY")
_SET_DEFAULT = re.compile(r"ALTER TABLE (\w+) ALTER COLUMN (\w+) SET DEFAULT (.+)", re.DOTALL)
_CREATE_SEQUENCE = re.compile(r"CREATE SEQUENCE \w+")
_IDENTITY = re.compile(r" GENERATED (?:BY DEFAULT|ALWAYS) AS IDENTITY(?: \([^)]*\))?")
_MENTIONS_TABLE = re.compile(r"^(?:ALTER|DROP) TABLE (?:IF EXISTS )?(\w+)")
_VERSION_INSERT = re.compile(r"INSERT INTO alembic_version \(version_num\) VALUES \('(\w+)'\)")
_VERSION_UPDATE = re.compile(r"UPDATE alembic_version SET version_num='(\w+)'")
_CONSTRAINT_START = ("CONSTRAINT ", "PRIMARY KEY", "UNIQUE ", "UNIQUE(", "FOREIGN KEY", "CHECK ", "CHECK(", "EXCLUDE ")


@dataclass
class _Table:
    name: str
    columns: list[str]
    constraints: list[str]
    frozen: bool = False

    def render(self) -> str:
        return f"CREATE TABLE {self.name} (\n    " + ", \n    ".join(self.columns + self.constraints) + "\n)"


@dataclass
class _Script:
    sequences: list[str] = field(default_factory=list)
    items: list[str | _Table] = field(default_factory=list)
    tables: dict[str, _Table] = field(default_factory=dict)
    version: str | None = None
    version_at: int | None = None


def statements(script: str) -> list[str]:
    """The script's statements without comments or terminators, in order."""
    out = []
    for chunk in script.split(";\n"):
        body = "\n".join(line for line in chunk.splitlines() if not line.startswith("--")).strip()
        if body:
            out.append(body)
    return out


def _split_elements(body: str) -> tuple[list[str], list[str]] | None:
    elements = [e.strip() for e in body.split(", \n")]
    columns = [e for e in elements if not e.startswith(_CONSTRAINT_START)]
    constraints = elements[len(columns) :]
    if columns + constraints != elements:  # a column after a constraint: not alembic's layout, leave it
        return None
    return columns, constraints


def _add_column(table: _Table, definition: str) -> bool:
    if "REFERENCES" in definition.upper():
        return False
    table.columns.append(definition.strip())
    return True


def _column(table: _Table, column: str) -> int | None:
    found = [i for i, definition in enumerate(table.columns) if definition.split(" ", 1)[0] == column]
    return found[0] if len(found) == 1 else None


def _drop_not_null(table: _Table, column: str) -> bool:
    i = _column(table, column)
    if i is None or table.columns[i].count(" NOT NULL") != 1:
        return False
    table.columns[i] = table.columns[i].replace(" NOT NULL", "", 1)
    return True


def _drop_identity(table: _Table, column: str) -> bool:
    i = _column(table, column)
    if i is None or len(_IDENTITY.findall(table.columns[i])) != 1:
        return False
    table.columns[i] = _IDENTITY.sub(" NOT NULL", table.columns[i])
    return True


def _set_default(table: _Table, column: str, expression: str) -> bool:
    i = _column(table, column)
    if i is None or " DEFAULT " in table.columns[i] or _IDENTITY.search(table.columns[i]):
        return False
    table.columns[i] += f" DEFAULT {expression.strip()}"
    return True


def _fold(script: _Script, stmt: str) -> bool:
    """True when the statement was folded into an earlier CREATE TABLE (or the version row)."""
    if (m := _VERSION_UPDATE.match(stmt)) and script.version is not None:
        script.version = m.group(1)
        return True
    if m := _ADD_COLUMN.fullmatch(stmt):
        table = script.tables.get(m.group(1))
        return table is not None and not table.frozen and _add_column(table, m.group(2))
    if _CREATE_SEQUENCE.fullmatch(stmt):
        script.sequences.append(stmt)
        return True
    for pattern, change in ((_DROP_NOT_NULL, _drop_not_null), (_DROP_IDENTITY, _drop_identity)):
        if m := pattern.fullmatch(stmt):
            table = script.tables.get(m.group(1))
            return table is not None and not table.frozen and change(table, m.group(2))
    if m := _SET_DEFAULT.fullmatch(stmt):
        table = script.tables.get(m.group(1))
        return table is not None and not table.frozen and _set_default(table, m.group(2), m.group(3))
    return False


def flatten(script: str) -> str:
    folded = _Script()
    for stmt in statements(script):
        if _fold(folded, stmt):
            continue
        if (m := _VERSION_INSERT.match(stmt)) and folded.version is None:
            folded.version, folded.version_at = m.group(1), len(folded.items)
            folded.items.append(stmt)
            continue
        created = _CREATE.fullmatch(stmt)
        parts = _split_elements(created.group(2)) if created else None
        if created and parts and created.group(1) not in folded.tables:
            table = _Table(created.group(1), *parts)
            folded.tables[table.name] = table
            folded.items.append(table)
            continue
        name = created.group(1) if created else (m.group(1) if (m := _MENTIONS_TABLE.match(stmt)) else None)
        if name in folded.tables:
            folded.tables[name].frozen = True
        folded.items.append(stmt)
    if folded.version_at is not None and folded.version is not None:
        folded.items[folded.version_at] = f"INSERT INTO alembic_version (version_num) VALUES ('{folded.version}')"
    items = [*folded.sequences, *folded.items]
    return "".join((i.render() if isinstance(i, _Table) else i) + ";\n\n" for i in items)
