"""PATCH bodies: a field left out stays as it is; an explicit `null` clears it — only where the column can
be NULL. Where the column is NOT NULL, `null` is a 422 naming the field (it was a `NotNullViolation`, a 500).

    class VillagePatch(PatchModel):
        table: ClassVar[FromClause] = Village.__table__
        name: str | None = Field(default=None, max_length=200)   # null refused: villages.name is NOT NULL
        population: int | None = None                            # null clears it

Fields that are not columns but must not be null either go in `not_null_extra`. The OpenAPI document
shows such fields without `null`, so clients (and the fuzzer) see the rule.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, GetJsonSchemaHandler, ValidationInfo, field_validator
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema
from sqlalchemy import FromClause


class PatchModel(BaseModel):
    table: ClassVar[FromClause | None] = None
    not_null_extra: ClassVar[frozenset[str]] = frozenset()

    @classmethod
    def not_null_fields(cls) -> frozenset[str]:
        cached = cls.__dict__.get("_not_null_cache")
        if cached is not None:
            return cached  # type: ignore[no-any-return]
        names = set(cls.not_null_extra)
        if cls.table is not None:
            for name in cls.model_fields:
                column = cls.table.c.get(name)
                if column is not None and not getattr(column, "nullable", True):
                    names.add(name)
        result = frozenset(names)
        type.__setattr__(cls, "_not_null_cache", result)
        return result

    @field_validator("*", mode="before")
    @classmethod
    def _refuse_null(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.field_name in cls.not_null_fields():
            raise PydanticCustomError(
                "null_not_allowed",
                "Trường «{field}» không được để trống (null) / field {field} cannot be null; leave it out to keep it",
                {"field": info.field_name},
            )
        return value

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(schema)
        target = handler.resolve_ref_schema(json_schema)
        for name in cls.not_null_fields():
            prop = target.get("properties", {}).get(name)
            if not prop or "anyOf" not in prop:
                continue
            kept = [option for option in prop["anyOf"] if option.get("type") != "null"]
            del prop["anyOf"]
            if len(kept) == 1:
                prop.update(kept[0])
            else:
                prop["anyOf"] = kept
            if prop.get("default", 0) is None:
                del prop["default"]
        return json_schema
