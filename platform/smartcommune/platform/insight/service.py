"""Criteria engine and dashboard statistics, computed from the commune's live data.

Criteria sets are data: templates call `upsert_criteria_targets` with their indicators and targets.
Each known indicator code has a computation over this commune's tables; a code without one is listed with
no value (`evidence.reason = "no_data_source"`), never invented.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from smartcommune.platform.insight.models import Criterion, CriterionSnapshot
from smartcommune.tenants import audit
from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.errors import InvalidInput
from smartcommune.tenants.session import tenant_transaction

WINDOW_DAYS = 90


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


def upsert_criteria_targets(db: Session, targets: list[dict[str, Any]]) -> None:
    """Insert or update criteria by code: {"code", "name_vi", "name_en", "target_percent"}. Idempotent and
    safe under concurrent callers (INSERT … ON CONFLICT). Criteria not named are left as they are."""
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
        rows[code] = {
            "code": code,
            "name_vi": str(t.get("name_vi") or code)[:300],
            "name_en": str(t.get("name_en") or t.get("name_vi") or code)[:300],
            "target_percent": float(target),
        }
    if not rows:
        return
    stmt = insert(Criterion).values(list(rows.values()))
    stmt = stmt.on_conflict_do_update(
        index_elements=[Criterion.code],
        set_={
            "name_vi": stmt.excluded.name_vi,
            "name_en": stmt.excluded.name_en,
            "target_percent": stmt.excluded.target_percent,
            "updated_at": func.now(),
        },
    )
    db.execute(stmt)


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
Computation = Callable[[Session], tuple[int, int, dict[str, Any]]]


def _pair(db: Session, sql: str) -> tuple[int, int]:
    row = db.execute(text(sql), {"days": WINDOW_DAYS}).one()
    return int(row[0] or 0), int(row[1] or 0)


def _online_services(db: Session) -> tuple[int, int, dict[str, Any]]:
    num, den = _pair(
        db,
        """
        WITH users AS (
            SELECT account_subject AS s FROM residents WHERE account_subject IS NOT NULL AND status = 'verified'
        ), used AS (
            SELECT applicant AS s FROM applications WHERE submitted_at >= now() - make_interval(days => :days)
            UNION SELECT reporter FROM reports
                WHERE reporter IS NOT NULL AND created_at >= now() - make_interval(days => :days)
            UNION SELECT payer_subject FROM invoices
                WHERE payer_subject IS NOT NULL AND paid_at >= now() - make_interval(days => :days)
        )
        SELECT (SELECT count(*) FROM users u WHERE u.s IN (SELECT s FROM used)), (SELECT count(*) FROM users)
        """,
    )
    return num, den, {"sources": ["applications", "reports", "invoices"], "window_days": WINDOW_DAYS}


def _cashless_invoices(db: Session) -> tuple[int, int, dict[str, Any]]:
    num, den = _pair(
        db,
        """
        SELECT count(*) FILTER (WHERE EXISTS (SELECT 1 FROM payments p WHERE p.invoice_id = i.id)), count(*)
        FROM invoices i WHERE i.status = 'paid' AND i.paid_at >= now() - make_interval(days => :days)
        """,
    )
    return num, den, {"sources": ["invoices", "payments"], "window_days": WINDOW_DAYS}


def _digital_payment_households(db: Session) -> tuple[int, int, dict[str, Any]]:
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


def _address_coded(db: Session) -> tuple[int, int, dict[str, Any]]:
    num, den = _pair(db, "SELECT count(*) FILTER (WHERE plus_code IS NOT NULL), count(*) FROM households")
    return num, den, {"sources": ["households"]}


def _reports_within_sla(db: Session) -> tuple[int, int, dict[str, Any]]:
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


def _registered_residents(db: Session) -> tuple[int, int, dict[str, Any]]:
    num, den = _pair(
        db,
        "SELECT count(*) FILTER (WHERE account_subject IS NOT NULL), count(*) FROM residents WHERE status = 'verified'",
    )
    return num, den, {"sources": ["residents"]}


def _certified_farms(db: Session) -> tuple[int, int, dict[str, Any]]:
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
    "cashless_invoices": _cashless_invoices,
    "digital_payment_households": _digital_payment_households,
    "address_coded": _address_coded,
    "reports_within_sla": _reports_within_sla,
    "registered_residents": _registered_residents,
    "certified_farms": _certified_farms,
    "cashless_payments": _cashless_invoices,  # the templates' name for the same indicator
}
"""Indicator codes with a computation (`-` and `_` are the same: `address-coded` is `address_coded`).
A criteria set may name others; they show with no value."""


def computation_for(code: str) -> Computation | None:
    return COMPUTATIONS.get(code.replace("-", "_"))


def compute(db: Session) -> list[Indicator]:
    out: list[Indicator] = []
    for c in db.scalars(select(Criterion).order_by(Criterion.code)):
        computation = computation_for(c.code)
        if computation is None:
            out.append(
                Indicator(
                    c.code, c.name_vi, c.name_en, c.target_percent, None, 0, 0, None, {"reason": "no_data_source"}
                )
            )
            continue
        num, den, evidence = computation(db)
        value = round(100.0 * num / den, 2) if den else None
        met = None if value is None else value >= c.target_percent
        out.append(Indicator(c.code, c.name_vi, c.name_en, c.target_percent, value, num, den, met, evidence))
    return out


def snapshot(db: Session, month: str | None = None) -> tuple[str, list[Indicator]]:
    """Compute every indicator and keep it as the month's snapshot (recomputing replaces the month)."""
    month = month or datetime.now(UTC).strftime("%Y-%m")
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


def dashboard(db: Session) -> dict[str, Any]:
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
        "reports": {
            "by_status": _counts(db, "SELECT status, count(*) FROM reports GROUP BY status"),
            "overdue": one[3],
        },
        "applications": {"by_status": _counts(db, "SELECT status, count(*) FROM applications GROUP BY status")},
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


# -- map layers ---------------------------------------------------------------------------------------
LAYERS: dict[str, str] = {
    "households": "SELECT id, longitude, latitude, json_build_object('house_number', house_number,"
    " 'plus_code', plus_code) FROM households WHERE latitude IS NOT NULL AND longitude IS NOT NULL",
    "reports": "SELECT id, lng, lat, json_build_object('status', status, 'category_id', category_id,"
    " 'created_at', created_at) FROM reports WHERE lat IS NOT NULL AND lng IS NOT NULL AND NOT hidden",
    "cameras": "SELECT id, longitude, latitude, json_build_object('name', name, 'status', status)"
    " FROM cameras WHERE latitude IS NOT NULL AND longitude IS NOT NULL",
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
def province_rollup(tenants: list[TenantInfo]) -> dict[str, Any]:
    """Every commune's indicators, each in its own commune transaction (its role, its schema), summed per
    code: pooled value (Σ numerators / Σ denominators) and how many communes meet their own target."""
    pooled: dict[str, dict[str, Any]] = {}
    for tenant in tenants:
        with tenant_transaction(tenant) as db:
            indicators = compute(db)
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
    return {"communes": len(tenants), "indicators": sorted(pooled.values(), key=lambda r: r["code"])}
