"""Template files: pydantic models, loading with errors that name file, field path and problem, composition.

A template file either stands alone (`base`) or `extends` another; the overlay's lists merge into the
parent's by `code` (same code replaces, new code appends), `procedures` and `modules` are unions,
`modules_removed` and `remove: {kind: [codes]}` take things out, other scalars replace.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from smartcommune.platform.cameras.schemas import CameraProfile
from smartcommune.platform.configuration.models import MODULES
from smartcommune.platform.devices.schemas import AlarmRuleSpec, CommandSpec, FieldSpec
from smartcommune.platform.production.models import LOG_TYPES
from smartcommune.tenants.authz.policy import COMMUNE_ROLES
from smartcommune.tenants.errors import InvalidInput

DATA_PACKAGE = "smartcommune.provisioning.templates"  # YAML files in its data/ folder (package data)
CATALOGUE_FILE = "procedures.yaml"
CODE = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,59}$"


Module = Literal[MODULES]  # type: ignore[valid-type]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class VillagePattern(_Strict):
    pattern: str = Field(min_length=1, description="tên thôn, {n} là số thứ tự")
    code_pattern: str = "T{n:02d}"
    count: int = Field(ge=0, le=200)
    kind: Literal["thon", "ban", "ap", "to_dan_pho", "khu_pho", "xom"] = "thon"


class RoleSpec(_Strict):
    name: str
    title: str
    default_for: Literal["admin_contact"] | None = None

    @model_validator(mode="after")
    def _builtin(self) -> RoleSpec:
        if self.name not in COMMUNE_ROLES:
            raise ValueError(f"unknown role {self.name!r}; one of {', '.join(COMMUNE_ROLES)}")
        return self


class ReportCategorySpec(_Strict):
    code: str = Field(pattern=CODE)
    name: str = Field(min_length=1, max_length=200)
    group: str = ""
    sla_hours: int = Field(ge=1, le=24 * 90)
    responsible_role: str


class ProcedureSpec(_Strict):
    code: str = Field(pattern=CODE)
    name: str = Field(min_length=1, max_length=300)
    field: str
    processing_days: int = Field(ge=0, le=365)
    fee_vnd: int = Field(default=0, ge=0)
    fee_note: str = ""
    mode: Literal["online", "in_person", "both"] = "online"
    legal_basis: str = ""
    required_documents: list[str] = Field(default_factory=list)


class FeeTypeSpec(_Strict):
    code: str = Field(pattern=CODE)
    name: str = Field(min_length=1, max_length=200)
    category: Literal["tuition", "electricity", "water", "administrative", "hospital", "other"]
    default_amount_vnd: int | None = Field(default=None, ge=0)
    due_days: int = Field(default=15, ge=1, le=365)


class QuestionSpec(_Strict):
    text: str = Field(min_length=1, max_length=500)
    kind: Literal["rating", "choice", "text"]
    options: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _choices(self) -> QuestionSpec:
        if self.kind == "choice" and len(self.options) < 2:
            raise ValueError("a choice question needs at least 2 options")
        return self


class SurveyTemplateSpec(_Strict):
    code: str = Field(pattern=CODE)
    title: str
    questions: list[QuestionSpec] = Field(min_length=1)


class ChannelSpec(_Strict):
    code: str = Field(pattern=CODE)
    name: str
    channels: list[Literal["app", "sms", "loudspeaker", "zalo", "email"]] = Field(min_length=1)
    urgent: bool = False


class CriterionSpec(_Strict):
    """A smart-commune criterion; `target` is a percentage (the insight module computes the value)."""

    code: str = Field(pattern=CODE)
    name: str = Field(min_length=1, max_length=300)
    name_en: str = Field(default="", max_length=300)
    target: float = Field(ge=0, le=100)


class CameraProfileSpec(_Strict):
    code: str = Field(pattern=CODE)
    name: str
    profile: CameraProfile = "default"
    sensitivity: int = Field(default=50, ge=1, le=100)


class DeviceProfileSpec(_Strict):
    code: str = Field(pattern=r"^[a-z0-9_.-]+$", max_length=60)
    name: str
    fields: list[FieldSpec] = Field(default_factory=list)
    commands: list[CommandSpec] = Field(default_factory=list)
    alarm_rules: list[AlarmRuleSpec] = Field(default_factory=list)


class NamedSpec(_Strict):
    code: str = Field(pattern=CODE)
    name: str = Field(min_length=1, max_length=200)


class LogTypeSpec(NamedSpec):
    """A local production-log entry name mapped onto one of farmOS's log types."""

    log_type: Literal[LOG_TYPES] = "observation"  # type: ignore[valid-type]


class AutomationRuleSpec(_Strict):
    code: str = Field(pattern=CODE)
    name: str
    profile: str
    field: str
    below: float | None = None
    above: float | None = None
    for_minutes: int = Field(ge=0)
    hysteresis: float = Field(ge=0)
    command: str
    params: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _one_side(self) -> AutomationRuleSpec:
        if (self.below is None) == (self.above is None):
            raise ValueError("give exactly one of below / above")
        return self


class TemplateFile(_Strict):
    """One YAML file as written; overlays leave out what they do not change."""

    name: str = Field(pattern=r"^[a-z][a-z0-9-]{1,59}$")
    version: int = Field(ge=1)
    extends: str | None = None
    title: str
    description: str = ""
    modules: list[Module] = Field(default_factory=list)
    modules_removed: list[Module] = Field(default_factory=list)
    villages: VillagePattern | None = None
    roles: list[RoleSpec] = Field(default_factory=list)
    report_categories: list[ReportCategorySpec] = Field(default_factory=list)
    procedures: list[str] = Field(default_factory=list)
    fee_types: list[FeeTypeSpec] = Field(default_factory=list)
    survey_templates: list[SurveyTemplateSpec] = Field(default_factory=list)
    announcement_channels: list[ChannelSpec] = Field(default_factory=list)
    criteria: list[CriterionSpec] = Field(default_factory=list)
    camera_profiles: list[CameraProfileSpec] = Field(default_factory=list)
    device_profiles: list[DeviceProfileSpec] = Field(default_factory=list)
    product_categories: list[NamedSpec] = Field(default_factory=list)
    production_log_types: list[LogTypeSpec] = Field(default_factory=list)
    automation_rules: list[AutomationRuleSpec] = Field(default_factory=list)
    traceability: bool | None = None
    remove: dict[str, list[str]] = Field(default_factory=dict)


class Template(BaseModel):
    """A composed template: what a commune gets. `version` sums the chain's file versions: bumping any file bumps it."""

    name: str
    version: int
    chain: list[str]
    title: str
    description: str
    modules: list[str]
    villages: VillagePattern
    roles: list[RoleSpec]
    report_categories: list[ReportCategorySpec]
    procedures: list[ProcedureSpec]
    fee_types: list[FeeTypeSpec]
    survey_templates: list[SurveyTemplateSpec]
    announcement_channels: list[ChannelSpec]
    criteria: list[CriterionSpec]
    camera_profiles: list[CameraProfileSpec]
    device_profiles: list[DeviceProfileSpec]
    product_categories: list[NamedSpec]
    production_log_types: list[LogTypeSpec]
    automation_rules: list[AutomationRuleSpec]
    traceability: bool


class TemplateError(InvalidInput):
    code = "invalid_template"


def _loc(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(root)"


def _problems(file: str, exc: ValidationError, data: Any) -> list[str]:
    lines = []
    for err in exc.errors():
        loc = list(err["loc"])
        # Name list items by their code where there is one: `report_categories[2] (an-ninh).sla_hours`.
        node: Any = data
        path = ""
        for part in loc:
            if isinstance(part, int) and isinstance(node, list) and part < len(node):
                node = node[part]
                path += f"[{part}]" + (f" ({node['code']})" if isinstance(node, dict) and "code" in node else "")
            elif isinstance(node, dict) and part in node:
                node = node[part]
                path += f".{part}" if path else str(part)
            else:
                path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
        lines.append(f"{file}: {path or '(root)'}: {err['msg']}")
    return lines


def parse_file(file: str, text: str) -> TemplateFile:
    """Parse one template file's text. Errors name the file, the field path and the problem."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "?"
        raise TemplateError(
            f"{file}: YAML không hợp lệ ({where}).", f"{file}: invalid YAML at {where}: {e}", file=file
        ) from e
    if not isinstance(data, dict):
        raise TemplateError(f"{file}: cần một bảng khoá–giá trị.", f"{file}: expected a mapping", file=file)
    try:
        return TemplateFile.model_validate(data)
    except ValidationError as e:
        problems = _problems(file, e, data)
        raise TemplateError(
            f"Mẫu {file} không hợp lệ: " + "; ".join(problems),
            "; ".join(problems),
            file=file,
            problems=problems,
        ) from e


def _read(name: str) -> str:
    path = resources.files(DATA_PACKAGE).joinpath("data", name)
    if not path.is_file():
        raise InvalidInput(
            f"Không có mẫu '{name.removesuffix('.yaml')}'. Các mẫu: {', '.join(template_names())}.",
            f"No template {name.removesuffix('.yaml')!r}; templates: {', '.join(template_names())}.",
            code="unknown_template",
        )
    return path.read_text(encoding="utf-8")


def template_names() -> list[str]:
    return sorted(
        p.name.removesuffix(".yaml")
        for p in resources.files(DATA_PACKAGE).joinpath("data").iterdir()
        if p.name.endswith(".yaml") and p.name != CATALOGUE_FILE
    )


@lru_cache
def national_catalogue() -> dict[str, ProcedureSpec]:
    data = yaml.safe_load(_read(CATALOGUE_FILE))
    try:
        items = [ProcedureSpec.model_validate(p) for p in data["procedures"]]
    except ValidationError as e:
        problems = _problems(CATALOGUE_FILE, e, data)
        raise TemplateError("Danh mục thủ tục không hợp lệ.", "; ".join(problems), problems=problems) from e
    return {p.code: p for p in items}


def _merge(parent: list[Any], child: list[Any]) -> list[Any]:
    out = {item.code: item for item in parent}
    for item in child:
        out[item.code] = item
    return list(out.values())


def compose(files: list[TemplateFile], catalogue: dict[str, ProcedureSpec]) -> Template:
    """`files` from the root (base) to the leaf overlay."""
    root, leaf = files[0], files[-1]
    if root.villages is None:
        raise TemplateError(
            f"{root.name}.yaml: thiếu 'villages'.", f"{root.name}.yaml: villages: field required", file=root.name
        )
    acc: dict[str, Any] = {
        "modules": [],
        "villages": root.villages,
        "roles": [],
        "procedures": [],
        "traceability": False,
    }
    list_fields = (
        "report_categories",
        "fee_types",
        "survey_templates",
        "announcement_channels",
        "criteria",
        "camera_profiles",
        "device_profiles",
        "product_categories",
        "production_log_types",
        "automation_rules",
    )
    for name in list_fields:
        acc[name] = []
    for f in files:
        acc["modules"] = [m for m in dict.fromkeys([*acc["modules"], *f.modules]) if m not in f.modules_removed]
        if f.villages is not None:
            acc["villages"] = f.villages
        if f.roles:
            acc["roles"] = _merge_roles(acc["roles"], f.roles)
        acc["procedures"] = list(dict.fromkeys([*acc["procedures"], *f.procedures]))
        if f.traceability is not None:
            acc["traceability"] = f.traceability
        for name in list_fields:
            acc[name] = _merge(acc[name], getattr(f, name))
        for kind, codes in f.remove.items():
            if kind == "procedures":
                acc["procedures"] = [c for c in acc["procedures"] if c not in codes]
            elif kind in list_fields:
                acc[kind] = [x for x in acc[kind] if x.code not in codes]
            else:
                raise TemplateError(
                    f"{f.name}.yaml: remove.{kind}: không xoá được loại này.",
                    f"{f.name}.yaml: remove.{kind}: cannot remove this kind",
                    file=f.name,
                )
    problems = []
    role_names = {r.name for r in acc["roles"]}
    for i, c in enumerate(acc["report_categories"]):
        if c.responsible_role not in role_names:
            problems.append(
                f"{leaf.name}.yaml: report_categories[{i}] ({c.code}).responsible_role: "
                f"role {c.responsible_role!r} is not among the template's roles"
            )
    for code in acc["procedures"]:
        if code not in catalogue:
            problems.append(f"{leaf.name}.yaml: procedures: {code!r} is not in the national catalogue")
    profiles = {p.code: p for p in acc["device_profiles"]}
    for i, r in enumerate(acc["automation_rules"]):
        where = f"{leaf.name}.yaml: automation_rules[{i}] ({r.code})"
        profile = profiles.get(r.profile)
        if profile is None:
            problems.append(f"{where}.profile: unknown profile {r.profile!r}")
            continue
        if r.field not in {f.name for f in profile.fields}:
            problems.append(f"{where}.field: profile {r.profile!r} has no field {r.field!r}")
        if r.command not in {c.name for c in profile.commands}:
            problems.append(f"{where}.command: profile {r.profile!r} has no command {r.command!r}")
    if problems:
        raise TemplateError("Mẫu không hợp lệ: " + "; ".join(problems), "; ".join(problems), problems=problems)
    return Template(
        name=leaf.name,
        # One number a commune can compare: bumping any file of the chain bumps it.
        version=sum(f.version for f in files),
        chain=[f.name for f in files],
        title=leaf.title,
        description=leaf.description,
        procedures=[catalogue[c] for c in acc["procedures"]],
        **{k: v for k, v in acc.items() if k != "procedures"},
    )


def _merge_roles(parent: list[RoleSpec], child: list[RoleSpec]) -> list[RoleSpec]:
    out = {r.name: r for r in parent}
    for r in child:
        out[r.name] = r
    return list(out.values())


def resolve(name: str, texts: dict[str, str] | None = None) -> Template:
    """The composed template `name`. `texts` (file name → YAML) overrides the shipped files (tests, upgrades)."""
    texts = texts or {}
    chain: list[TemplateFile] = []
    seen: set[str] = set()
    current: str | None = name
    while current is not None:
        if current in seen:
            raise TemplateError(
                f"Mẫu '{name}' kế thừa vòng tròn.", f"Template {name!r}: extends forms a cycle", file=current
            )
        seen.add(current)
        file = f"{current}.yaml"
        parsed = parse_file(file, texts[file] if file in texts else _read(file))
        if parsed.name != current:
            raise TemplateError(f"{file}: name phải là '{current}'.", f"{file}: name: must be {current!r}", file=file)
        chain.append(parsed)
        current = parsed.extends
    return compose(list(reversed(chain)), national_catalogue())


@lru_cache
def shipped(name: str) -> Template:
    return resolve(name)
