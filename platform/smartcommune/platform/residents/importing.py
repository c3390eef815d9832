"""CSV import of households and residents: each good row is kept, each bad row is reported (row, field,
problem) and changes nothing. Every row runs in its own savepoint, so one bad row never undoes another.

Row numbers are the spreadsheet's: the header is row 1, the first data row is row 2.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from smartcommune.platform.http.policy import forbidden_character
from smartcommune.platform.residents import repository, service
from smartcommune.platform.residents.schemas import HouseholdIn, ImportResult, ResidentIn, RowError
from smartcommune.platform.villages.models import Village
from smartcommune.tenants import audit
from smartcommune.tenants.errors import AppError, InvalidInput, PayloadTooLarge, UnsupportedMediaType

MAX_CSV_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
HOUSEHOLD_COLUMNS = ("village_code", "house_number", "head_name", "address_line", "latitude", "longitude")
RESIDENT_COLUMNS = ("full_name", "phone", "village_code", "house_number", "date_of_birth", "groups")
_FIELD_OF_CODE = {"invalid_phone": "phone"}  # errors of shared helpers that do not name the field
REQUIRED = {"households": ("village_code", "house_number"), "residents": ("full_name",)}


class RowProblem(Exception):
    def __init__(self, field: str, problem: str, code: str) -> None:
        super().__init__(problem)
        self.field, self.problem, self.code = field, problem, code


def _decode(data: bytes) -> str:
    if len(data) > MAX_CSV_BYTES:
        raise PayloadTooLarge(
            f"Tệp CSV vượt quá {MAX_CSV_BYTES // (1024 * 1024)} MB.",
            f"CSV file larger than {MAX_CSV_BYTES // (1024 * 1024)} MB.",
            code="file_too_large",
            max_bytes=MAX_CSV_BYTES,
        )
    if not data.strip():
        raise InvalidInput("Tệp rỗng.", "Empty file.", code="empty_file")
    if b"\x00" in data[:4096]:
        raise UnsupportedMediaType(
            "Tệp không phải CSV dạng văn bản.",
            "Not a text CSV file.",
            code="unsupported_media_type",
            allowed=["text/csv"],
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise UnsupportedMediaType(
            "Tệp CSV cần mã hóa UTF-8.", "The CSV file must be UTF-8 encoded.", code="csv_not_utf8"
        ) from e


def _rows(text: str, kind: str, columns: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str] | RowProblem]]:
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    try:
        header = [h.strip().lower() for h in (reader.fieldnames or [])]
    except csv.Error as e:
        raise InvalidInput(
            "Không đọc được dòng tiêu đề của tệp CSV.",
            f"The CSV header line cannot be read ({e}).",
            code="csv_malformed",
        ) from e
    missing = [c for c in REQUIRED[kind] if c not in header]
    if missing:
        raise InvalidInput(
            "Thiếu cột bắt buộc: " + ", ".join(missing),
            "Missing required columns: " + ", ".join(missing),
            code="csv_missing_columns",
            missing=missing,
            expected=list(columns),
        )
    reader.fieldnames = header
    count = 0
    while True:
        before = reader.line_num
        try:
            raw = next(reader)
        except StopIteration:
            return
        except csv.Error as e:  # a bare carriage return or a NUL inside a field: that row only
            count += 1
            yield (
                before + 1,
                RowProblem("?", f"dòng CSV không đọc được / unreadable CSV line: {e}", "csv_malformed_row"),
            )
            continue
        count += 1
        index = reader.line_num  # the file's line, blank lines included: what a spreadsheet shows
        if count > MAX_ROWS:
            raise PayloadTooLarge(
                f"Tệp có quá {MAX_ROWS} dòng.", f"More than {MAX_ROWS} rows.", code="too_many_rows", max_rows=MAX_ROWS
            )
        row = {k: (v or "").strip() for k, v in raw.items() if isinstance(k, str) and k in columns}
        bad = next((k for k, v in row.items() if forbidden_character(v) is not None), None)
        if bad is not None:
            yield index, RowProblem(bad, "ký tự điều khiển không được phép / control character", "invalid_characters")
        elif any(row.values()):
            yield index, row


def _opt(row: dict[str, str], key: str) -> str | None:
    return row.get(key) or None


def _float(row: dict[str, str], key: str) -> float | None:
    value = _opt(row, key)
    if value is None:
        return None
    try:
        return float(value.replace(",", "."))
    except ValueError as e:
        raise RowProblem(key, "không phải số / not a number", "not_a_number") from e


def _date(row: dict[str, str], key: str) -> date | None:
    value = _opt(row, key)
    if value is None:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise RowProblem(key, "ngày không hợp lệ (dd/mm/yyyy) / invalid date (dd/mm/yyyy)", "invalid_date")


def _villages(db: Session) -> dict[str, int]:
    return {code.lower(): vid for vid, code in db.execute(select(Village.id, Village.code)).all()}


def _village(villages: dict[str, int], row: dict[str, str], required: bool) -> int | None:
    code = _opt(row, "village_code")
    if code is None:
        if required:
            raise RowProblem("village_code", "thiếu mã thôn / village code missing", "missing")
        return None
    village_id = villages.get(code.lower())
    if village_id is None:
        raise RowProblem("village_code", f"không có thôn mã '{code}' / no village '{code}'", "unknown_village")
    return village_id


def _run(
    db: Session, kind: str, columns: tuple[str, ...], data: bytes, make: Callable[[dict[str, str]], int], actor: str
) -> ImportResult:
    text = _decode(data)
    ids: list[int] = []
    errors: list[RowError] = []
    for number, row in _rows(text, kind, columns):
        if isinstance(row, RowProblem):
            errors.append(RowError(row=number, field=row.field, problem=row.problem, code=row.code))
            continue
        try:
            with db.begin_nested():
                ids.append(make(row))
        except RowProblem as p:
            errors.append(RowError(row=number, field=p.field, problem=p.problem, code=p.code))
        except ValidationError as e:
            for err in e.errors():
                field = ".".join(str(x) for x in err.get("loc", ())) or "?"
                errors.append(RowError(row=number, field=field, problem=str(err.get("msg")), code=str(err.get("type"))))
        except AppError as e:
            field = str(e.details.get("field") or _FIELD_OF_CODE.get(e.code, "?"))
            errors.append(RowError(row=number, field=field, problem=f"{e.message_vi} / {e.message_en}", code=e.code))
    return ImportResult(created=len(ids), rejected=len({e.row for e in errors}), ids=ids, errors=errors)


def _record(db: Session, kind: str, result: ImportResult, *, actor: str, actor_kind: str) -> None:
    audit.record(
        db,
        actor=actor,
        actor_kind=actor_kind,
        action="import",
        object_type=kind,
        object_id="csv",
        after={"created": result.created, "rejected": result.rejected, "ids": result.ids},
    )


def import_households(db: Session, data: bytes, *, actor: str, actor_kind: str) -> ImportResult:
    villages = _villages(db)

    def make(row: dict[str, str]) -> int:
        household = HouseholdIn(
            village_id=_village(villages, row, required=True) or 0,
            house_number=row.get("house_number", ""),
            head_name=_opt(row, "head_name"),
            address_line=_opt(row, "address_line"),
            latitude=_float(row, "latitude"),
            longitude=_float(row, "longitude"),
        )
        return service.create_household(db, household, actor=actor, actor_kind=actor_kind, record_audit=False).id

    result = _run(db, "households", HOUSEHOLD_COLUMNS, data, make, actor)
    _record(db, "household", result, actor=actor, actor_kind=actor_kind)
    return result


def import_residents(db: Session, data: bytes, *, actor: str, actor_kind: str) -> ImportResult:
    villages = _villages(db)

    def make(row: dict[str, str]) -> int:
        household_id: int | None = None
        if number := _opt(row, "house_number"):
            household = repository.household_by_number(db, number)
            if household is None:
                raise RowProblem(
                    "house_number", f"không có hộ số '{number}' / no household '{number}'", "unknown_household"
                )
            household_id = household.id
        groups = [g for g in (row.get("groups") or "").replace(",", ";").split(";") if g.strip()]
        resident = ResidentIn(
            full_name=row.get("full_name", ""),
            phone=_opt(row, "phone"),
            household_id=household_id,
            village_id=_village(villages, row, required=False),
            date_of_birth=_date(row, "date_of_birth"),
            groups=groups,
        )
        return service.create_resident(
            db, resident, actor=actor, actor_kind=actor_kind, source="import", record_audit=False
        ).id

    result = _run(db, "residents", RESIDENT_COLUMNS, data, make, actor)
    _record(db, "resident", result, actor=actor, actor_kind=actor_kind)
    return result
