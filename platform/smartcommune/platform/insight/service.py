"""Criteria engine and dashboard statistics, computed from the commune's live data.

Criteria sets are data: templates call `upsert_criteria_targets` with their indicators and targets.
Each known indicator code has a computation over this commune's tables; a code without one is listed with
no value (`evidence.reason = "no_data_source"`), never invented. Some computations take parameters
(`PARAMETERS`, e.g. the working-age bounds), kept per criterion in `criteria.params`; `{}` means the
documented defaults, and the values used are always listed in the evidence.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from smartcommune.platform.insight.models import CriteriaRollup, Criterion, CriterionSnapshot
from smartcommune.tenants import audit
from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.database import app_engine
from smartcommune.tenants.errors import Conflict, InvalidInput
from smartcommune.tenants.session import tenant_transaction

WINDOW_DAYS = 90
APP_USE_DAYS = 30  # "active in the app": the usual monthly-active window
VN = ZoneInfo("Asia/Ho_Chi_Minh")


@dataclass
class Indicator:
    code: str
    name_vi: str
    name_en: str
    target_percent: float
    value_percent: float | None
    numerator: int
    denominator: int
    met: bool | None
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Parameter:
    """An integer parameter of a computation: its default and allowed range."""

    default: int
    low: int
    high: int
    doc: str


_WINDOW = Parameter(WINDOW_DAYS, 1, 3660, "days of activity counted, back from today")
PARAMETERS: dict[str, dict[str, Parameter]] = {
    # Working age per the Labour Code 2019: a worker is 15 or older (art. 3(1)); working life ends at the
    # retirement age of art. 169, which Decree 135/2020 raises stepwise from 60y3m (men) and 55y4m (women)
    # in 2021 to 62 (2028) and 60 (2035); in 2026 it is 61y6m and 57y. Residents carry no sex, so one
    # upper bound: 60 (exclusive) by default, the women's target age and below the men's. A commune may
    # set its own bounds (e.g. {"min_age": 15, "max_age": 62}).
    "online_services": {
        "min_age": Parameter(15, 0, 100, "youngest age counted (inclusive), years"),
        "max_age": Parameter(60, 1, 120, "age from which a resident no longer counts (exclusive), years"),
        "window_days": Parameter(365, 1, 3660, "days back in which a use of an online service counts"),
    },
    "applications_online": {"window_days": _WINDOW},
}


def _canonical(code: str) -> str:
    """`-` and `_` are the same, and an alias names its indicator (`cashless-payments`)."""
    code = code.replace("-", "_")
    return ALIASES.get(code, code)


def _invalid_params(code: str, reason_vi: str, reason_en: str, **details: Any) -> InvalidInput:
    return InvalidInput(
        f"Tham số của chỉ tiêu '{code}' không hợp lệ: {reason_vi}",
        f"Invalid parameters of criterion '{code}': {reason_en}",
        code="criterion_params_invalid",
        criterion=code,
        **details,
    )


def resolve_params(code: str, given: Mapping[str, Any] | None) -> dict[str, int]:
    """The parameters a computation uses: the defaults overridden by `given`, each checked."""
    spec = PARAMETERS.get(_canonical(code), {})
    given = dict(given or {})
    unknown = sorted(set(given) - set(spec))
    if unknown:
        raise _invalid_params(
            code, f"không có tham số {', '.join(unknown)}.", f"unknown {', '.join(unknown)}.", allowed=sorted(spec)
        )
    out: dict[str, int] = {}
    for name, p in spec.items():
        value = given.get(name, p.default)
        if isinstance(value, bool) or not isinstance(value, int) or not p.low <= value <= p.high:
            raise _invalid_params(
                code,
                f"{name} phải là số nguyên từ {p.low} đến {p.high}.",
                f"{name} must be an integer from {p.low} to {p.high}.",
                param=name,
            )
        out[name] = value
    if "min_age" in out and out["min_age"] >= out["max_age"]:
        raise _invalid_params(code, "min_age phải nhỏ hơn max_age.", "min_age must be below max_age.")
    return out


def upsert_criteria_targets(db: Session, targets: list[dict[str, Any]]) -> None:
    """Insert or update criteria by code: {"code", "name_vi", "name_en", "target_percent"[, "params"]}.
    Idempotent and safe under concurrent callers (INSERT … ON CONFLICT). Criteria not named are left as
    they are; a criterion named without `params` keeps the parameters it has (templates carry none)."""
    rows: dict[str, dict[str, Any]] = {}
    for t in targets:
        code = str(t.get("code") or "").strip()
        target = t.get("target_percent")
        if not code or len(code) > 60 or not isinstance(target, int | float) or not 0 <= float(target) <= 100:
            raise InvalidInput(
                "Chỉ tiêu không hợp lệ (mã, tên và tỉ lệ mục tiêu 0–100%).",
                "Invalid criterion (code, names and a target of 0–100%).",
                code="criterion_invalid",
                criterion=code,
            )
        row = {
            "code": code,
            "name_vi": str(t.get("name_vi") or code)[:300],
            "name_en": str(t.get("name_en") or t.get("name_vi") or code)[:300],
            "target_percent": float(target),
        }
        if t.get("params") is not None:
            resolve_params(code, t["params"])  # refuse what the computation would not accept
            row["params"] = dict(t["params"])
        rows[code] = row
    with_params = [r for r in rows.values() if "params" in r]
    without = [r for r in rows.values() if "params" not in r]
    for batch in (with_params, without):
        if not batch:
            continue
        stmt = insert(Criterion).values(batch)
        updated = {
            "name_vi": stmt.excluded.name_vi,
            "name_en": stmt.excluded.name_en,
            "target_percent": stmt.excluded.target_percent,
            "updated_at": func.now(),
        }
        if batch is with_params:
            updated["params"] = stmt.excluded.params
        db.execute(stmt.on_conflict_do_update(index_elements=[Criterion.code], set_=updated))


def set_targets(db: Session, targets: list[dict[str, Any]], *, actor: str, actor_kind: str) -> None:
    upsert_criteria_targets(db, targets)
    audit.record(
        db,
        actor=actor,
        actor_kind=actor_kind,
        action="update",
        object_type="criteria",
        object_id=",".join(sorted(str(t["code"]) for t in targets))[:120],
        after={"targets": targets},
    )


# -- indicators ---------------------------------------------------------------------------------------
Computation = Callable[[Session, Mapping[str, int]], tuple[int, int, dict[str, Any]]]


def _pair(db: Session, sql: str, days: int = WINDOW_DAYS) -> tuple[int, int]:
    row = db.execute(text(sql), {"days": days}).one()
    return int(row[0] or 0), int(row[1] or 0)


def years_before(day: date, years: int) -> date:
    """The same calendar day `years` earlier (29 February becomes the 28th in a common year)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def _online_services(db: Session, params: Mapping[str, int]) -> tuple[int, int, dict[str, Any]]:
    """Working-age residents (verified, birth date known, min_age <= age < max_age today in Vietnam) who
    used an online service in the window: an application they filed online (not at the counter), a field
    report from the app, or an invoice of theirs paid by bank transfer or card. Residents without a birth
    date cannot be placed and are left out of both counts (listed in the evidence)."""
    today = datetime.now(VN).date()
    born_by, born_after = years_before(today, params["min_age"]), years_before(today, params["max_age"])
    since = datetime.now(UTC) - timedelta(days=params["window_days"])
    row = db.execute(
        text(
            """
            WITH working AS (
                SELECT account_subject AS s FROM residents
                WHERE status = 'verified' AND archived_at IS NULL
                  AND date_of_birth <= :born_by AND date_of_birth > :born_after
            ), apps AS (
                SELECT DISTINCT applicant AS s FROM applications
                WHERE channel = 'online' AND applicant IS NOT NULL AND submitted_at >= :since
            ), reps AS (
                SELECT DISTINCT reporter AS s FROM reports WHERE reporter IS NOT NULL AND created_at >= :since
            ), pays AS (
                SELECT DISTINCT i.payer_subject AS s FROM invoices i JOIN payments p ON p.invoice_id = i.id
                WHERE i.payer_subject IS NOT NULL AND p.created_at >= :since
            )
            SELECT count(*) FILTER (WHERE s IN (SELECT s FROM apps) OR s IN (SELECT s FROM reps)
                                       OR s IN (SELECT s FROM pays)),
                   count(*),
                   count(s),
                   count(*) FILTER (WHERE s IN (SELECT s FROM apps)),
                   count(*) FILTER (WHERE s IN (SELECT s FROM reps)),
                   count(*) FILTER (WHERE s IN (SELECT s FROM pays)),
                   (SELECT count(*) FROM residents
                    WHERE status = 'verified' AND archived_at IS NULL AND date_of_birth IS NULL)
            FROM working
            """
        ),
        {"born_by": born_by, "born_after": born_after, "since": since},
    ).one()
    num, den, with_account, by_apps, by_reports, by_payments, unknown = (int(v or 0) for v in row)
    return (
        num,
        den,
        {
            "sources": ["residents", "applications", "reports", "invoices", "payments"],
            "as_of": today.isoformat(),
            "params": dict(params),
            "born_between": [born_after.isoformat(), born_by.isoformat()],  # (after, on or before]
            "working_age_with_account": with_account,
            "used_by_source": {"applications_online": by_apps, "reports": by_reports, "digital_payments": by_payments},
            "residents_without_birth_date": unknown,
        },
    )


def _applications_online(db: Session, params: Mapping[str, int]) -> tuple[int, int, dict[str, Any]]:
    days = params["window_days"]
    by_channel = {
        str(k): int(v)
        for k, v in db.execute(
            text(
                "SELECT channel, count(*) FROM applications "
                "WHERE submitted_at >= now() - make_interval(days => :days) GROUP BY channel"
            ),
            {"days": days},
        )
    }
    return (
        by_channel.get("online", 0),
        sum(by_channel.values()),
        {"sources": ["applications"], "window_days": days, "by_channel": by_channel},
    )


def _cashless_invoices(db: Session, _: Mapping[str, int]) -> tuple[int, int, dict[str, Any]]:
    num, den = _pair(
        db,
        """
        SELECT count(*) FILTER (WHERE EXISTS (SELECT 1 FROM payments p WHERE p.invoice_id = i.id)), count(*)
        FROM invoices i WHERE i.status = 'paid' AND i.paid_at >= now() - make_interval(days => :days)
        """,
    )
    return num, den, {"sources": ["invoices", "payments"], "window_days": WINDOW_DAYS}


def _digital_payment_households(db: Session, _: Mapping[str, int]) -> tuple[int, int, dict[str, Any]]:
    num, den = _pair(
        db,
        """
        SELECT (SELECT count(DISTINCT i.household_id) FROM payments p JOIN invoices i ON i.id = p.invoice_id
                WHERE p.created_at >= now() - make_interval(days => :days)
                  AND i.household_id IN (SELECT id FROM households)),
               (SELECT count(*) FROM households)
        """,
    )
    return num, den, {"sources": ["payments", "invoices", "households"], "window_days": WINDOW_DAYS}


def _address_coded(db: Session, _: Mapping[str, int]) -> tuple[int, int, dict[str, Any]]:
    num, den = _pair(db, "SELECT count(*) FILTER (WHERE plus_code IS NOT NULL), count(*) FROM households")
    return num, den, {"sources": ["households"]}


def _reports_within_sla(db: Session, _: Mapping[str, int]) -> tuple[int, int, dict[str, Any]]:
    num, den = _pair(
        db,
        """
        SELECT count(*) FILTER (WHERE resolved_at <= sla_due_at), count(*) FROM reports
        WHERE resolved_at IS NOT NULL AND resolved_at >= now() - make_interval(days => :days)
        """,
    )
    overdue = db.execute(
        text("SELECT id FROM reports WHERE resolved_at > sla_due_at ORDER BY id DESC LIMIT 20")
    ).scalars()
    return num, den, {"sources": ["reports"], "window_days": WINDOW_DAYS, "late_report_ids": list(overdue)}


def _registered_residents(db: Session, _: Mapping[str, int]) -> tuple[int, int, dict[str, Any]]:
    num, den = _pair(
        db,
        "SELECT count(*) FILTER (WHERE account_subject IS NOT NULL), count(*) FROM residents WHERE status = 'verified'",
    )
    return num, den, {"sources": ["residents"]}


def _certified_farms(db: Session, _: Mapping[str, int]) -> tuple[int, int, dict[str, Any]]:
    num, den = _pair(
        db,
        """
        SELECT count(*) FILTER (WHERE EXISTS (SELECT 1 FROM certifications c WHERE c.farm_id = f.id
                                              AND current_date BETWEEN c.valid_from AND c.valid_to)),
               count(*) FROM farms f
        """,
    )
    return num, den, {"sources": ["farms", "certifications"]}


COMPUTATIONS: dict[str, Computation] = {
    "online_services": _online_services,
    "applications_online": _applications_online,
    "cashless_invoices": _cashless_invoices,
    "digital_payment_households": _digital_payment_households,
    "address_coded": _address_coded,
    "reports_within_sla": _reports_within_sla,
    "registered_residents": _registered_residents,
    "certified_farms": _certified_farms,
}
"""Indicator codes with a computation (`-` and `_` are the same: `address-coded` is `address_coded`).
A criteria set may name others; they show with no value."""
ALIASES = {
    "cashless_payments": "cashless_invoices",  # the templates' name for the same indicator
    "online_applications": "applications_online",
}


def computation_for(code: str) -> Computation | None:
    return COMPUTATIONS.get(_canonical(code))


def _no_value(c: Criterion, reason: str) -> Indicator:
    return Indicator(c.code, c.name_vi, c.name_en, c.target_percent, None, 0, 0, None, {"reason": reason})


def compute(db: Session) -> list[Indicator]:
    out: list[Indicator] = []
    for c in db.scalars(select(Criterion).order_by(Criterion.code)):
        computation = computation_for(c.code)
        if computation is None:
            out.append(_no_value(c, "no_data_source"))
            continue
        try:
            params = resolve_params(c.code, c.params)
        except InvalidInput:  # stored by hand past the checks: shown, not guessed
            out.append(_no_value(c, "params_invalid"))
            continue
        num, den, evidence = computation(db, params)
        value = round(100.0 * num / den, 2) if den else None
        met = None if value is None else value >= c.target_percent
        out.append(Indicator(c.code, c.name_vi, c.name_en, c.target_percent, value, num, den, met, evidence))
    return out


def snapshot(db: Session, month: str | None = None) -> tuple[str, list[Indicator]]:
    """Compute every indicator and keep it as the month's snapshot (recomputing replaces the month)."""
    month = month or current_month()
    indicators = compute(db)
    if indicators:
        rows = [
            {
                "month": month,
                "code": i.code,
                "value_percent": i.value_percent,
                "target_percent": i.target_percent,
                "numerator": i.numerator,
                "denominator": i.denominator,
                "evidence": i.evidence,
            }
            for i in indicators
        ]
        stmt = insert(CriterionSnapshot).values(rows)
        stmt = stmt.on_conflict_do_update(
            constraint="uq_criteria_snapshots_month_code",
            set_={
                k: getattr(stmt.excluded, k)
                for k in ("value_percent", "target_percent", "numerator", "denominator", "evidence")
            }
            | {"computed_at": func.now()},
        )
        db.execute(stmt)
    return month, indicators


def take_snapshot(db: Session, month: str | None, *, actor: str, actor_kind: str) -> tuple[str, list[Indicator]]:
    month, indicators = snapshot(db, month)
    if not indicators:  # nothing would be kept: say so instead of "done"
        raise Conflict(
            "Xã chưa có tiêu chí nào để chốt số liệu; hãy thêm tiêu chí và chỉ tiêu trước.",
            "The commune has no criteria to snapshot; add criteria and targets first.",
            code="no_criteria",
        )
    audit.record(
        db,
        actor=actor,
        actor_kind=actor_kind,
        action="snapshot",
        object_type="criteria_snapshot",
        object_id=month,
        after={i.code: i.value_percent for i in indicators},
    )
    return month, indicators


def snapshots(db: Session, code: str | None = None) -> list[CriterionSnapshot]:
    q = select(CriterionSnapshot).order_by(CriterionSnapshot.month.desc(), CriterionSnapshot.code)
    if code:
        q = q.where(CriterionSnapshot.code == code)
    return list(db.scalars(q.limit(1000)))


# -- dashboard ----------------------------------------------------------------------------------------
def _counts(db: Session, sql: str) -> dict[str, int]:
    return {str(k): int(v) for k, v in db.execute(text(sql), {"days": WINDOW_DAYS}).all()}


def dashboard(db: Session, staff: Sequence[str] = ()) -> dict[str, Any]:
    """`staff`: the commune's officials (account subjects), left out of "residents using the app"."""
    one = db.execute(
        text(
            """
            SELECT
              (SELECT count(*) FROM residents WHERE status = 'verified'),
              (SELECT count(*) FROM residents WHERE status = 'verified' AND account_subject IS NOT NULL),
              (SELECT count(*) FROM households),
              (SELECT count(*) FROM reports WHERE resolved_at IS NULL AND closed_at IS NULL AND sla_due_at < now()),
              (SELECT coalesce(sum(paid_vnd), 0) FROM invoices WHERE paid_at >= now() - make_interval(days => :days)),
              (SELECT coalesce(sum(amount_vnd - paid_vnd), 0) FROM invoices WHERE status <> 'paid'),
              (SELECT count(*) FROM payments WHERE needs_review),
              (SELECT count(*) FROM devices),
              (SELECT count(*) FROM devices WHERE last_seen_at >= now() - interval '1 hour'),
              (SELECT count(*) FROM farms),
              (SELECT count(*) FROM lots),
              (SELECT count(*) FROM certifications WHERE current_date BETWEEN valid_from AND valid_to)
            """
        ),
        {"days": WINDOW_DAYS},
    ).one()
    return {
        "residents": {"verified": one[0], "with_account": one[1], "households": one[2]},
        "app_use": app_use(db, with_account=one[1], staff=staff),
        "reports": {
            "by_status": _counts(db, "SELECT status, count(*) FROM reports GROUP BY status"),
            "overdue": one[3],
        },
        "applications": {
            "by_status": _counts(db, "SELECT status, count(*) FROM applications GROUP BY status"),
            "by_channel_90d": _counts(
                db,
                "SELECT channel, count(*) FROM applications"
                " WHERE submitted_at >= now() - make_interval(days => :days) GROUP BY channel",
            ),
        },
        "payments": {
            "invoices_by_status": _counts(db, "SELECT status, count(*) FROM invoices GROUP BY status"),
            "collected_vnd_90d": one[4],
            "outstanding_vnd": one[5],
            "needs_review": one[6],
        },
        "cameras": {"by_status": _counts(db, "SELECT status, count(*) FROM cameras GROUP BY status")},
        "devices": {"total": one[7], "seen_last_hour": one[8]},
        "production": {"farms": one[9], "lots": one[10], "valid_certifications": one[11]},
    }


def app_use(db: Session, *, with_account: int, staff: Sequence[str] = ()) -> dict[str, Any]:
    """Residents active in the app in the last 30 days: read an inbox message, filed an application online
    or a field report, answered a named survey, or paid an invoice of theirs; and how many have web push on.

    Counted by account, not by register record: a resident who signed in by phone and reported counts even
    before their record is linked or verified. The commune's staff (`staff`) are left out."""
    active, push = db.execute(
        text(
            """
            WITH active AS (
                SELECT recipient AS s FROM inbox_items WHERE read_at >= now() - make_interval(days => :days)
                UNION SELECT applicant FROM applications
                    WHERE channel = 'online' AND submitted_at >= now() - make_interval(days => :days)
                UNION SELECT reporter FROM reports
                    WHERE reporter IS NOT NULL AND created_at >= now() - make_interval(days => :days)
                UNION SELECT r.account_subject FROM survey_responses sr JOIN residents r ON r.id = sr.resident_id
                    WHERE sr.submitted_at >= now() - make_interval(days => :days)
                UNION SELECT i.payer_subject FROM invoices i JOIN payments p ON p.invoice_id = i.id
                    WHERE p.created_at >= now() - make_interval(days => :days)
            )
            SELECT (SELECT count(DISTINCT s) FROM active WHERE s IS NOT NULL AND NOT (s = ANY(:staff))),
                   (SELECT count(DISTINCT p.subject) FROM push_subscriptions p
                    JOIN residents r ON r.account_subject = p.subject AND r.status = 'verified')
            """
        ),
        {"days": APP_USE_DAYS, "staff": list(staff)},
    ).one()
    return {
        "window_days": APP_USE_DAYS,
        "active_residents": int(active),
        "active_share_of_accounts_percent": round(100.0 * active / with_account, 2) if with_account else None,
        "push_enabled_residents": int(push),
    }


# -- map layers ---------------------------------------------------------------------------------------
LAYERS: dict[str, str] = {
    "households": "SELECT id, longitude, latitude, json_build_object('house_number', house_number,"
    " 'plus_code', plus_code) FROM households WHERE latitude IS NOT NULL AND longitude IS NOT NULL",
    "reports": "SELECT id, lng, lat, json_build_object('status', status, 'category_id', category_id,"
    " 'created_at', created_at) FROM reports WHERE lat IS NOT NULL AND lng IS NOT NULL AND NOT hidden",
    "cameras": "SELECT id, longitude, latitude, json_build_object('name', name, 'status', status)"
    " FROM cameras WHERE latitude IS NOT NULL AND longitude IS NOT NULL",
    "devices": "SELECT id, longitude, latitude, json_build_object('name', name, 'uid', uid, 'presence', presence,"
    " 'last_seen_at', last_seen_at) FROM devices WHERE latitude IS NOT NULL AND longitude IS NOT NULL",
    "farms": "SELECT id, longitude, latitude, json_build_object('name', name, 'kind', kind,"
    " 'commodity', commodity, 'area_m2', area_m2) FROM farms WHERE latitude IS NOT NULL AND longitude IS NOT NULL",
    "services": "SELECT id, longitude, latitude, json_build_object('title', title, 'kind', kind,"
    " 'category', category, 'price_vnd', price_vnd) FROM listings"
    " WHERE active AND latitude IS NOT NULL AND longitude IS NOT NULL",
}


def map_layer(db: Session, layer: str) -> dict[str, Any]:
    sql = LAYERS.get(layer)
    if sql is None:
        raise InvalidInput(
            f"Lớp bản đồ '{layer}' không có. Có: {', '.join(LAYERS)}.",
            f"Unknown map layer '{layer}'.",
            code="map_layer_unknown",
        )
    features = [
        {
            "type": "Feature",
            "id": f"{layer}/{row[0]}",
            "geometry": {"type": "Point", "coordinates": [float(row[1]), float(row[2])]},
            "properties": dict(row[3]) | {"layer": layer},
        }
        for row in db.execute(text(sql + " ORDER BY id LIMIT 20000"))
    ]
    return {"type": "FeatureCollection", "name": layer, "features": features}


# -- province roll-up (provider staff) -----------------------------------------------------------------
def current_month() -> str:
    return datetime.now(VN).strftime("%Y-%m")


def _pool(per_commune: Iterable[list[Indicator]]) -> dict[str, Any]:
    """Summed per code: pooled value (Σ numerators / Σ denominators) and how many communes meet their own
    target."""
    pooled: dict[str, dict[str, Any]] = {}
    communes = 0
    for indicators in per_commune:
        communes += 1
        for i in indicators:
            row = pooled.setdefault(
                i.code,
                {
                    "code": i.code,
                    "name_vi": i.name_vi,
                    "name_en": i.name_en,
                    "numerator": 0,
                    "denominator": 0,
                    "communes": 0,
                    "communes_met": 0,
                    "communes_without_data": 0,
                },
            )
            row["numerator"] += i.numerator
            row["denominator"] += i.denominator
            row["communes"] += 1
            row["communes_met"] += 1 if i.met else 0
            row["communes_without_data"] += 1 if i.value_percent is None else 0
    for row in pooled.values():
        row["value_percent"] = round(100.0 * row["numerator"] / row["denominator"], 2) if row["denominator"] else None
    return {"communes": communes, "indicators": sorted(pooled.values(), key=lambda r: r["code"])}


def province_rollup(tenants: list[TenantInfo]) -> dict[str, Any]:
    """Every commune's indicators computed now, each in its own commune transaction (its role, its
    schema), pooled per code."""

    def live() -> Iterable[list[Indicator]]:
        for tenant in tenants:
            with tenant_transaction(tenant) as db:
                yield compute(db)

    return _pool(live())


def _kept(db: Session, month: str) -> list[Indicator]:
    rows = db.execute(
        select(CriterionSnapshot, Criterion.name_vi, Criterion.name_en)
        .outerjoin(Criterion, Criterion.code == CriterionSnapshot.code)
        .where(CriterionSnapshot.month == month)
        .order_by(CriterionSnapshot.code)
    ).all()
    return [
        Indicator(
            s.code,
            name_vi or s.code,
            name_en or s.code,
            s.target_percent,
            s.value_percent,
            s.numerator,
            s.denominator,
            None if s.value_percent is None else s.value_percent >= s.target_percent,
            s.evidence,
        )
        for s, name_vi, name_en in rows
    ]


def snapshot_rollup(province_code: int, tenants: list[TenantInfo], month: str | None = None) -> dict[str, Any]:
    """The province's roll-up of `month` from its communes' kept monthly snapshots, stored in control
    (recomputing a month replaces its rows). For the current month a commune without a snapshot yet gets
    one now; a past month is never filled with today's values (such a commune counts as without data)."""
    month = month or current_month()
    live_if_missing = month == current_month()
    missing = 0

    def kept() -> Iterable[list[Indicator]]:
        nonlocal missing
        for tenant in tenants:
            with tenant_transaction(tenant) as db:
                indicators = _kept(db, month)
                if not indicators and live_if_missing:
                    _, indicators = snapshot(db, month)
                missing += 0 if indicators else 1
                yield indicators

    rolled = _pool(kept())
    rolled["communes"] = len(tenants)
    rolled["communes_without_snapshot"] = missing
    rows = [
        {
            "month": month,
            "province_code": province_code,
            **{k: r[k] for k in ("code", "name_vi", "name_en", "value_percent", "numerator", "denominator")},
            "communes": r["communes"],
            "communes_met": r["communes_met"],
            # communes without this month's snapshot have no value for any indicator
            "communes_without_data": r["communes_without_data"] + len(tenants) - r["communes"],
        }
        for r in rolled["indicators"]
    ]
    with app_engine().begin() as conn:
        conn.execute(
            delete(CriteriaRollup).where(
                CriteriaRollup.month == month,
                CriteriaRollup.province_code == province_code,
                CriteriaRollup.code.not_in([r["code"] for r in rows]),
            )
        )
        if rows:
            stmt = insert(CriteriaRollup).values(rows)
            conn.execute(
                stmt.on_conflict_do_update(
                    constraint="uq_criteria_rollups_month_province_code_code",
                    set_={
                        k: getattr(stmt.excluded, k)
                        for k in (
                            "name_vi",
                            "name_en",
                            "value_percent",
                            "numerator",
                            "denominator",
                            "communes",
                            "communes_met",
                            "communes_without_data",
                        )
                    }
                    | {"computed_at": func.now()},
                )
            )
    return {"province_code": province_code, "month": month} | rolled


def rollup_history(
    province_code: int | None, *, month: str | None = None, since: str | None = None, code: str | None = None
) -> list[CriteriaRollup]:
    """Kept roll-ups, newest month first: one province's history, or every province of one month."""
    q = select(CriteriaRollup).order_by(CriteriaRollup.month.desc(), CriteriaRollup.province_code, CriteriaRollup.code)
    if province_code is not None:
        q = q.where(CriteriaRollup.province_code == province_code)
    if month is not None:
        q = q.where(CriteriaRollup.month == month)
    if since is not None:
        q = q.where(CriteriaRollup.month >= since)
    if code is not None:
        q = q.where(CriteriaRollup.code == code)
    with Session(app_engine()) as db:
        return list(db.scalars(q.limit(5000)))
