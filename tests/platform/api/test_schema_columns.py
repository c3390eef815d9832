"""Request schemas never allow more than their columns hold (issue 16: assignee allowed 120 characters for a
64-character column, integers reached INTEGER columns unbounded). For every request-body model of every
route, each field named like a column of its domain's table (the table with most fields in common) must
have `max_length` ≤ the column's length (String columns) and bounds within INTEGER/SMALLINT."""

from __future__ import annotations

import types
import typing
from typing import Any

from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import BaseModel
from sqlalchemy import BigInteger, Integer, SmallInteger, String, Table

from smartcommune.main import create_app
from smartcommune.tenants.control.models import ControlBase
from smartcommune.tenants.tenant_schema import TenantBase

# (model, field): not stored in that column as such (checked elsewhere, or normalised before storing).
NOT_THE_COLUMN = {
    ("OtpRequest", "phone"),  # normalised to the 10-digit national form before it is stored
    ("ResidentIn", "phone"),
    ("ResidentPatch", "phone"),
}


def _models(annotation: Any, seen: set[type[BaseModel]]) -> None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel) and annotation not in seen:
        seen.add(annotation)
        for field in annotation.model_fields.values():
            _models(field.annotation, seen)
    for arg in typing.get_args(annotation):
        _models(arg, seen)


def _has(annotation: Any, kind: type) -> bool:
    if annotation is kind:
        return True
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _has(typing.get_args(annotation)[0], kind)
    if origin in (typing.Union, types.UnionType):
        return any(_has(a, kind) for a in typing.get_args(annotation))
    return False


def _meta(field: Any, name: str) -> Any:
    for item in field.metadata:
        value = getattr(item, name, None)
        if value is not None:
            return value
    return None


def _domain_tables(model: type[BaseModel], tables: list[Table]) -> list[Table]:
    domain = model.__module__.rsplit(".", 1)[0]
    owned = {
        mapper.local_table.name
        for base in (TenantBase, ControlBase)
        for mapper in base.registry.mappers
        if mapper.class_.__module__.rsplit(".", 1)[0] == domain
    }
    return [t for t in tables if t.name in owned]


def test_request_schemas_fit_their_columns() -> None:
    app = create_app()
    tables = list(TenantBase.metadata.tables.values()) + list(ControlBase.metadata.tables.values())
    models: set[type[BaseModel]] = set()
    for ctx in iter_route_contexts(app.routes):
        route = ctx.original_route
        if isinstance(route, APIRoute) and route.body_field is not None:
            _models(route.body_field.field_info.annotation, models)
    problems: list[str] = []
    checked = 0
    for model in sorted(models, key=lambda m: m.__module__ + m.__qualname__):
        candidates = getattr(model, "table", None)
        pool = [candidates] if isinstance(candidates, Table) else _domain_tables(model, tables)
        fields = set(model.model_fields)
        best = max(pool, key=lambda t: len(fields & set(t.c.keys())), default=None)
        if best is None or len(fields & set(best.c.keys())) < 2:
            continue
        for name in sorted(fields & set(best.c.keys())):
            if (model.__name__, name) in NOT_THE_COLUMN:
                continue
            field, column = model.model_fields[name], best.c[name]
            checked += 1
            if isinstance(column.type, String) and column.type.length and _has(field.annotation, str):
                allowed = _meta(field, "max_length")
                if allowed is None and _meta(field, "pattern") is not None:
                    continue  # an anchored pattern bounds the length (each reviewed against its column)
                if allowed is None or allowed > column.type.length:
                    problems.append(
                        f"{model.__name__}.{name}: max_length {allowed} > {best.name}.{name} {column.type.length}"
                    )
            if (
                isinstance(column.type, Integer)
                and not isinstance(column.type, BigInteger)
                and _has(field.annotation, int)
            ):
                limit = 2**15 - 1 if isinstance(column.type, SmallInteger) else 2**31 - 1
                high = _meta(field, "le") if _meta(field, "le") is not None else _meta(field, "lt")
                low = _meta(field, "ge") if _meta(field, "ge") is not None else _meta(field, "gt")
                if high is None or high > limit or low is None or low < -limit - 1:
                    problems.append(f"{model.__name__}.{name}: bounds {low}..{high} exceed {best.name}.{name}")
    assert checked > 100
    assert not problems, "\n".join(problems)
