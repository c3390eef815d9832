"""Apply a composed template to one commune: plan, then add / update / keep, item by item.

Every item the template writes is tracked in the commune's `template_items` with the hash of the values
it last wrote. On a later (newer) application an item is:
  - `add`        not in the commune and never written: inserted;
  - `update`     written before, still exactly as written (not customised), and the template changed it;
  - `unchanged`  written before, the template has not changed it;
  - `customised` the commune changed (or removed) it since: kept as the commune has it;
  - `commune`    the commune has its own item with that code that the template never wrote: kept.
Nothing is ever deleted; items a newer template drops stay in the commune.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session

from smartcommune.platform.configuration.models import (
    AnnouncementChannel,
    AutomationRule,
    CameraProfile,
    CommuneModule,
    ProductCategory,
    ProductionLogType,
    SurveyTemplate,
)
from smartcommune.platform.devices.models import DeviceProfile
from smartcommune.platform.fees.models import FeeType
from smartcommune.platform.insight.models import Criterion
from smartcommune.platform.insight.service import upsert_criteria_targets
from smartcommune.platform.procedures.models import Procedure
from smartcommune.platform.reports.models import ReportCategory
from smartcommune.platform.villages.models import Village
from smartcommune.provisioning.templates.spec import AutomationRuleSpec, QuestionSpec, Template

Action = Literal["add", "update", "unchanged", "customised", "commune"]

# Tables of t0011 (unqualified: the tenant transaction's search_path is the commune's schema).
_meta = MetaData()
template_items = Table(
    "template_items",
    _meta,
    Column("id", BigInteger, primary_key=True),
    Column("kind", String(40)),  # unique (kind, key)
    Column("key", String(100)),
    Column("hash", String(64)),
    Column("template", String(60)),
    Column("version", Integer),
    Column("updated_at", DateTime(timezone=True), server_default=func.now()),
)
template_applications = Table(
    "template_applications",
    _meta,
    Column("id", BigInteger, primary_key=True),
    Column("template", String(60)),
    Column("version", Integer),
    Column("summary", JSONB),
    Column("applied_at", DateTime(timezone=True), server_default=func.now()),
)


@dataclass(frozen=True)
class PlanItem:
    kind: str
    key: str
    action: Action
    values: dict[str, Any] = field(compare=False, repr=False)


@dataclass
class Plan:
    template: str
    version: int
    previous_version: int | None
    items: list[PlanItem]

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for item in self.items:
            out[item.action] = out.get(item.action, 0) + 1
        return out

    @property
    def changes(self) -> list[PlanItem]:
        return [i for i in self.items if i.action in ("add", "update")]

    def lines(self) -> list[str]:
        head = f"{self.template} v{self.previous_version or 0} → v{self.version}: " + ", ".join(
            f"{k} {v}" for k, v in sorted(self.counts().items())
        )
        return [head] + [f"  {i.action:10} {i.kind}/{i.key}" for i in self.items if i.action != "unchanged"]


def digest(values: dict[str, Any]) -> str:
    raw = json.dumps(values, sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":"))
    return hashlib.sha256(raw.encode()).hexdigest()


@dataclass(frozen=True)
class _Kind:
    """How one kind of item is read from and written to the commune (ORM model or table, keyed by `code`)."""

    name: str
    table: Any
    fields: tuple[str, ...]
    desired: Callable[[Template], dict[str, dict[str, Any]]]

    @property
    def columns(self) -> Any:
        return self.table.__table__.c if hasattr(self.table, "__table__") else self.table.c

    @cached_property
    def current(self) -> Any:
        """The commune's rows of this kind among `:codes` (one statement, compiled once)."""
        cols = self.columns
        return select(cols.code, *[cols[f] for f in self.fields]).where(
            cols.code.in_(bindparam("codes", expanding=True))
        )


def _villages(t: Template) -> dict[str, dict[str, Any]]:
    v = t.villages
    return {v.code_pattern.format(n=n): {"name": v.pattern.format(n=n), "kind": v.kind} for n in range(1, v.count + 1)}


def _question(q: QuestionSpec) -> dict[str, Any]:
    """A template question in the survey builder's shape (`surveys.schemas.QuestionIn`: kind, prompt, config)."""
    if q.kind == "rating":
        return {"kind": "rating", "prompt": q.text, "required": False, "config": {"min": 1, "max": 5}}
    if q.kind == "choice":
        return {"kind": "single_choice", "prompt": q.text, "required": False, "config": {"choices": q.options}}
    return {"kind": "long_text", "prompt": q.text, "required": False, "config": {}}


def _rule(r: AutomationRuleSpec) -> dict[str, Any]:
    below = r.below is not None
    threshold = float(r.below if below else r.above)  # type: ignore[arg-type]
    return {
        "name": r.name,
        "profile": r.profile,
        "field": r.field,
        "op": "below" if below else "above",
        "threshold": threshold,
        # hysteresis: a rule that fired clears only once the value is back past the threshold by this much
        "clear_threshold": threshold + r.hysteresis if below else threshold - r.hysteresis,
        "duration_s": r.for_minutes * 60,
        "command": r.command,
        "params": r.params,
    }


_RULE_FIELDS = (
    "name",
    "profile",
    "field",
    "op",
    "threshold",
    "clear_threshold",
    "duration_s",
    "command",
    "params",
)
_FLOAT_FIELDS = frozenset({"target_percent", "threshold", "clear_threshold"})

KINDS: tuple[_Kind, ...] = (
    _Kind("modules", CommuneModule, ("enabled",), lambda t: {m: {"enabled": True} for m in t.modules}),
    _Kind("villages", Village, ("name", "kind"), _villages),
    _Kind(
        "report_categories",
        ReportCategory,
        ("name", "group_name", "sla_hours", "responsible_role"),
        lambda t: {
            c.code: {
                "name": c.name,
                "group_name": c.group,
                "sla_hours": c.sla_hours,
                "responsible_role": c.responsible_role,
            }
            for c in t.report_categories
        },
    ),
    _Kind(
        "procedures",
        Procedure,
        ("name", "field", "required_documents", "fee_vnd", "fee_note", "processing_days", "legal_basis", "mode"),
        lambda t: {p.code: p.model_dump(exclude={"code"}) for p in t.procedures},
    ),
    _Kind(
        "fee_types",
        FeeType,
        ("name", "category", "default_amount_vnd", "due_days"),
        lambda t: {f.code: f.model_dump(exclude={"code"}) for f in t.fee_types},
    ),
    _Kind(
        "device_profiles",
        DeviceProfile,
        ("name", "fields", "commands", "alarm_rules"),
        lambda t: {p.code: p.model_dump(mode="json", exclude={"code"}) for p in t.device_profiles},
    ),
    _Kind(
        "survey_templates",
        SurveyTemplate,
        ("title", "questions"),
        lambda t: {
            s.code: {"title": s.title, "questions": [_question(q) for q in s.questions]} for s in t.survey_templates
        },
    ),
    _Kind(
        "announcement_channels",
        AnnouncementChannel,
        ("name", "channels", "urgent"),
        lambda t: {c.code: c.model_dump(exclude={"code"}) for c in t.announcement_channels},
    ),
    _Kind(
        "camera_profiles",
        CameraProfile,
        ("name", "profile", "sensitivity"),
        lambda t: {c.code: c.model_dump(exclude={"code"}) for c in t.camera_profiles},
    ),
    _Kind(
        "product_categories",
        ProductCategory,
        ("name",),
        lambda t: {c.code: {"name": c.name} for c in t.product_categories},
    ),
    _Kind(
        "production_log_types",
        ProductionLogType,
        ("name", "log_type"),
        lambda t: {c.code: {"name": c.name, "log_type": c.log_type} for c in t.production_log_types},
    ),
    _Kind("automation_rules", AutomationRule, _RULE_FIELDS, lambda t: {r.code: _rule(r) for r in t.automation_rules}),
    _Kind(
        "criteria",
        Criterion,
        ("name_vi", "name_en", "target_percent"),
        lambda t: {
            c.code: {"name_vi": c.name, "name_en": c.name_en or c.name, "target_percent": float(c.target)}
            for c in t.criteria
        },
    ),
)


def plan(db: Session, template: Template) -> Plan:
    conn = db.connection()  # Core statements: their compiled form is cached, no ORM overhead per commune
    tracked: dict[tuple[str, str], str] = {
        (k, key): h
        for k, key, h in conn.execute(select(template_items.c.kind, template_items.c.key, template_items.c.hash))
    }
    previous = conn.execute(
        select(func.max(template_applications.c.version)).where(template_applications.c.template == template.name)
    ).scalar()
    items: list[PlanItem] = []
    for kind, desired in _desired(template):
        current = {
            row[0]: dict(zip(kind.fields, row[1:], strict=True))
            for row in conn.execute(kind.current, {"codes": list(desired)})
        }
        for key, (values, wanted) in desired.items():
            last = tracked.get((kind.name, key))
            have = current.get(key)
            action: Action
            if last is None:
                action = "add" if have is None else "commune"
            elif have is None or digest(_normal(have)) != last:
                action = "customised"
            elif wanted != last:
                action = "update"
            else:
                action = "unchanged"
            items.append(PlanItem(kind.name, key, action, values))
    return Plan(template.name, template.version, previous, items)


# What a shipped template wants, with each item's hash: computed once per template object, not per commune.
_DESIRED: dict[int, tuple[Template, list[tuple[_Kind, dict[str, tuple[dict[str, Any], str]]]]]] = {}


def _desired(template: Template) -> list[tuple[_Kind, dict[str, tuple[dict[str, Any], str]]]]:
    cached = _DESIRED.get(id(template))
    if cached is not None and cached[0] is template:
        return cached[1]
    out = [
        (kind, {key: (values, digest(_normal(values))) for key, values in kind.desired(template).items()})
        for kind in KINDS
    ]
    if len(_DESIRED) > 64:
        _DESIRED.clear()
    _DESIRED[id(template)] = (template, out)  # the template is kept alive with its entry: ids are not reused
    return out


def item_counts(template: Template) -> dict[str, int]:
    """How many items of each kind the template writes into a commune (the dry run's summary)."""
    return {kind.name: len(desired) for kind, desired in _desired(template)}


def _normal(values: dict[str, Any]) -> dict[str, Any]:
    """Database and template values hash alike (floats for numbers of float columns, lists as lists)."""
    return {
        k: (float(v) if isinstance(v, int | float) and not isinstance(v, bool) and k in _FLOAT_FIELDS else v)
        for k, v in values.items()
    }


def _table(kind: _Kind) -> Any:
    return kind.table.__table__ if hasattr(kind.table, "__table__") else kind.table


def apply(db: Session, template: Template, *, dry_run: bool = False) -> Plan:
    """Plan, and unless `dry_run` carry it out in the caller's (tenant) transaction. Idempotent."""
    the_plan = plan(db, template)
    if dry_run:
        return the_plan
    conn = db.connection()
    by_kind = {k.name: k for k in KINDS}
    adds: dict[str, list[dict[str, Any]]] = {}
    criteria: list[dict[str, Any]] = []
    for item in the_plan.changes:
        kind = by_kind[item.kind]
        if item.kind == "criteria":  # the insight module owns criteria: through its own upsert
            criteria.append({"code": item.key, **item.values})
        elif item.action == "add":
            adds.setdefault(item.kind, []).append({"code": item.key, **item.values})
        else:
            conn.execute(update(_table(kind)).where(kind.columns.code == item.key).values(**item.values))
    if criteria:
        upsert_criteria_targets(db, criteria)
    for name, rows in adds.items():  # one batched INSERT per kind (executemany: compiled once per process)
        conn.execute(insert(_table(by_kind[name])), rows)
    if the_plan.changes:
        tracked = [{"kind": i.kind, "key": i.key, "hash": digest(_normal(i.values))} for i in the_plan.changes]
        conn.execute(_TRACK, {"rows": json.dumps(tracked), "template": template.name, "version": template.version})
    if the_plan.changes or the_plan.previous_version != template.version:
        conn.execute(
            insert(template_applications).values(
                template=template.name, version=template.version, summary=the_plan.counts()
            )
        )
    return the_plan


# One statement for all tracked items (rows as a JSON array): a commune's first application tracks ~50.
_TRACK = text(
    "INSERT INTO template_items (kind, key, hash, template, version) "
    "SELECT kind, key, hash, :template, :version "
    "FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS r(kind varchar(40), key varchar(100), hash varchar(64)) "
    "ON CONFLICT (kind, key) DO UPDATE SET hash = excluded.hash, template = excluded.template, "
    "version = excluded.version, updated_at = now()"
)
