"""The platform's one input policy, applied to every API route before any dependency or database runs.

- **Text**: every string that comes in — path segments, query keys and values, JSON keys and strings,
  form fields — must consist of characters XML 1.0 allows: no NUL, no other C0 control character except tab,
  newline and carriage return, no lone surrogate, no U+FFFE/U+FFFF. Anything else is a 422
  `invalid_characters` naming the field (PostgreSQL refuses NUL in text and jsonb; Open311 XML would be
  unreadable).
- **Integers**: nothing wider than the widest column (BIGINT) gets in. A path id outside BIGINT cannot name
  an object: 404 `not_found`. An integer query/form parameter or a JSON number outside BIGINT (or a
  non-finite number): 422 `integer_out_of_range`. Narrower columns (INTEGER, SMALLINT) are bounded by the
  request schemas with `Field(ge=…, le=…)` from `smartcommune.tenants.bounds`, and a test checks every
  schema against its table (`tests/platform/api/test_schema_columns.py`).

`install_input_policy(router)` wraps the handler of every route before it is included into the app.
"""

from __future__ import annotations

import json
import math
import re
import types
import typing
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from fastapi import APIRouter
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response

from smartcommune.tenants.bounds import BIGINT_MAX, BIGINT_MIN, INT_MAX, INT_MIN
from smartcommune.tenants.errors import InvalidInput, NotFound

# XML 1.0 Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_DIGITS = re.compile(r"\s*[+-]?\d+\s*")
# Integer parameters named `…code` (commune_code, province_code) are GSO codes, kept in INTEGER columns.
_INT32_NAME = re.compile(r"(^|_)code$")
_JSON_TYPES = ("application/json",)


def forbidden_character(value: str) -> int | None:
    """The position of the first character the text policy refuses, or None."""
    match = _FORBIDDEN.search(value)
    return match.start() if match else None


def check_text(value: str, field: str) -> None:
    position = forbidden_character(value)
    if position is not None:
        raise InvalidInput(
            f"Trường «{field}» chứa ký tự điều khiển không được phép (vị trí {position}).",
            f"Field '{field}' contains a control character that is not allowed (position {position}).",
            code="invalid_characters",
            field=field,
            position=position,
            character=f"U+{ord(value[position]):04X}",
        )


def out_of_bigint(value: str, name: str = "") -> bool:
    """True when `value` is an integer literal (as pydantic reads one) outside BIGINT (INTEGER for a `…code`)."""
    if not _DIGITS.fullmatch(value):
        return False
    digits = value.strip().lstrip("+-")
    if len(digits.lstrip("0")) > 19:
        return True
    number = int(value.strip())
    if _INT32_NAME.search(name):
        return not INT_MIN <= number <= INT_MAX
    return not BIGINT_MIN <= number <= BIGINT_MAX


def _integer_error(field: str) -> InvalidInput:
    return InvalidInput(
        f"Trường «{field}» vượt quá giới hạn số nguyên cho phép.",
        f"Field '{field}' is outside the allowed integer range.",
        code="integer_out_of_range",
        field=field,
        minimum=BIGINT_MIN,
        maximum=BIGINT_MAX,
    )


def check_json(value: Any, field: str = "body") -> None:
    """Walk a decoded JSON document: text policy on keys and strings, BIGINT bound on every number."""
    if isinstance(value, str):
        check_text(value, field)
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, int):
        if not BIGINT_MIN <= value <= BIGINT_MAX:
            raise _integer_error(field)
    elif isinstance(value, float):
        if not math.isfinite(value) or not BIGINT_MIN <= value <= BIGINT_MAX:
            raise _integer_error(field)
    elif isinstance(value, dict):
        for key, item in value.items():
            check_text(key, f"{field}.{key[:40]}")
            check_json(item, f"{field}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            check_json(item, f"{field}.{index}")


def _is_int_annotation(annotation: Any) -> bool:
    if annotation is bool:
        return False
    if annotation is int:
        return True
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _is_int_annotation(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType, list, set, tuple, frozenset):
        return any(_is_int_annotation(arg) for arg in typing.get_args(annotation))
    return False


def _all_dependants(dependant: Dependant) -> Iterator[Dependant]:
    stack = [dependant]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(current.dependencies)


def integer_params(dependant: Dependant) -> tuple[set[str], set[str], set[str]]:
    """Names (aliases) of the integer path, query and form parameters a route and its dependencies read."""
    path: set[str] = set()
    query: set[str] = set()
    form: set[str] = set()
    for dep in _all_dependants(dependant):
        for field in dep.path_params:
            if _is_int_annotation(field.field_info.annotation):
                path.add(field.alias)
        for field in dep.query_params:
            if _is_int_annotation(field.field_info.annotation):
                query.add(field.alias)
        for field in dep.body_params:
            if _is_int_annotation(field.field_info.annotation):
                form.add(field.alias)
    return path, query, form


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";", 1)[0].strip().lower()


async def check_request(request: Request, ints: tuple[set[str], set[str], set[str]]) -> None:
    int_path, int_query, int_form = ints
    for name, value in request.path_params.items():
        if isinstance(value, str):
            check_text(value, f"path.{name}")
            if name in int_path and out_of_bigint(value, name):
                raise NotFound("Không tìm thấy.", "Not found.", field=f"path.{name}")
    for key, value in request.query_params.multi_items():
        check_text(key, f"query.{key[:40]}")
        check_text(value, f"query.{key}")
        if key in int_query and out_of_bigint(value, key):
            raise _integer_error(f"query.{key}")
    media = _media_type(request)
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    if media in _JSON_TYPES or media.endswith("+json"):
        body = await request.body()
        if not body:
            return
        try:
            document = json.loads(body)
        except UnicodeDecodeError as exc:
            raise InvalidInput(
                "Nội dung gửi lên không phải UTF-8 hợp lệ.",
                "The request body is not valid UTF-8.",
                code="invalid_encoding",
                field="body",
            ) from exc
        except ValueError:
            return  # FastAPI answers its own 422 json_invalid
        check_json(document)
    elif media in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.form()
        for key, value in form.multi_items():
            check_text(key, f"form.{key[:40]}")
            if isinstance(value, UploadFile):
                if value.filename:
                    check_text(value.filename, f"form.{key}.filename")
                continue
            check_text(value, f"form.{key}")
            if key in int_form and out_of_bigint(value, key):
                raise _integer_error(f"form.{key}")


def _policed(route: APIRoute, original: Callable[[], Callable[[Request], Awaitable[Response]]]) -> Callable[[], Any]:
    def get_route_handler() -> Callable[[Request], Awaitable[Response]]:
        handler = original()
        ints = integer_params(route.dependant)

        async def app(request: Request) -> Response:
            await check_request(request, ints)
            return await handler(request)

        return app

    return get_route_handler


def install_input_policy(router: APIRouter) -> None:
    """Wrap the handler of every route of `router` (before `include_router` builds them). Idempotent."""
    for route in router.routes:
        if isinstance(route, APIRoute) and not getattr(route, "_input_policy", False):
            route.get_route_handler = _policed(route, route.get_route_handler)  # type: ignore[method-assign]
            route._input_policy = True  # type: ignore[attr-defined]
