"""Parse a manifest into run specs and rejected rows.

CSV columns: code, slug, template, admin_name, admin_phone, admin_email, and optionally `cameras` and
`devices` as JSON lists. YAML: a list (or `{communes: [...]}`) of mappings with the same keys, `admin`
as a mapping, `cameras`/`devices` as lists. Row numbers are 1-based data rows (CSV: the header is row 1,
so the first commune is row 2, as a spreadsheet shows it).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from typing import Any

import yaml
from pydantic import ValidationError

from smartcommune.provisioning.runs.schemas import RunSpec
from smartcommune.provisioning.templates.spec import template_names
from smartcommune.tenants.official_list import lookup_commune


@dataclass
class Rejected:
    row: int
    reason: str
    code: int | None = None


@dataclass
class Manifest:
    specs: list[RunSpec] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)


def _row_to_spec(raw: dict[str, Any], default_template: str) -> RunSpec:
    data = {k.strip().lower(): v for k, v in raw.items() if k is not None}
    admin = data.pop("admin", None) or {}
    for key in ("name", "phone", "email", "username"):
        value = data.pop(f"admin_{key}", None)
        if value not in (None, ""):
            admin[key] = value
    code = data.pop("code", data.pop("commune_code", None))
    spec: dict[str, Any] = {
        "commune_code": int(str(code).strip()) if code not in (None, "") else None,
        "template": data.pop("template", None) or default_template,
    }
    if data.get("slug"):
        spec["slug"] = str(data.pop("slug")).strip()
    data.pop("slug", None)
    if data.get("province_code") not in (None, ""):
        spec["province_code"] = int(data.pop("province_code"))
    data.pop("province_code", None)
    if admin:
        spec["admin"] = admin
    for key in ("cameras", "devices", "site_networks"):
        value = data.pop(key, None)
        if isinstance(value, str):
            value = json.loads(value) if value.strip() else []
        if value:
            spec[key] = value
    leftovers = [k for k, v in data.items() if v not in (None, "")]
    if leftovers:
        raise ValueError(f"unknown columns: {', '.join(sorted(leftovers))}")
    return RunSpec.model_validate(spec)


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(f"{'.'.join(map(str, e['loc'])) or '(row)'}: {e['msg']}" for e in exc.errors())
    if isinstance(exc, json.JSONDecodeError):
        return f"invalid JSON: {exc.msg}"
    return str(exc)


def parse(text: str, *, fmt: str, default_template: str = "base") -> Manifest:
    if fmt == "csv":
        reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
        rows: list[tuple[int, Any]] = [(i, r) for i, r in enumerate(reader, start=2)]
    elif fmt in ("yaml", "yml"):
        data = yaml.safe_load(text) or []
        if isinstance(data, dict):
            data = data.get("communes", [])
        rows = list(enumerate(data, start=1))
    else:
        raise ValueError(f"unknown manifest format {fmt!r} (csv, yaml)")
    out = Manifest()
    templates = set(template_names())
    seen: dict[int, int] = {}
    for number, raw in rows:
        try:
            if not isinstance(raw, dict):
                raise ValueError("a row must be a mapping")
            spec = _row_to_spec(raw, default_template)
        except (ValidationError, ValueError, TypeError) as exc:
            out.rejected.append(Rejected(number, _reason(exc)))
            continue
        if lookup_commune(spec.commune_code) is None:
            out.rejected.append(Rejected(number, f"unknown commune code {spec.commune_code}", spec.commune_code))
        elif spec.template not in templates:
            out.rejected.append(Rejected(number, f"unknown template {spec.template!r}", spec.commune_code))
        elif spec.commune_code in seen:
            out.rejected.append(
                Rejected(
                    number, f"commune {spec.commune_code} already in row {seen[spec.commune_code]}", spec.commune_code
                )
            )
        else:
            seen[spec.commune_code] = number
            out.specs.append(spec)
            out.rows.append(number)
    return out


def parse_file(path: str, *, default_template: str = "base") -> Manifest:
    fmt = path.rsplit(".", 1)[-1].lower()
    with open(path, encoding="utf-8") as fh:
        return parse(fh.read(), fmt=fmt, default_template=default_template)
