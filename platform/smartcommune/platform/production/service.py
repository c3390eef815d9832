"""Production rules: the log, the pre-harvest interval check, lots and their traceability views."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from smartcommune.platform.production import epcis, gs1, units
from smartcommune.platform.production.models import Certification, Farm, Lot, Plot, ProductionLog
from smartcommune.platform.production.schemas import (
    CertificationIn,
    CertificationOut,
    FarmIn,
    FarmOut,
    LogIn,
    LogOut,
    LotOut,
    PlotIn,
    PlotOut,
)
from smartcommune.platform.residents.models import Household
from smartcommune.tenants import audit
from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.errors import Conflict, InvalidInput, NotFound

FIELD_LOGS = ("seeding", "input", "observation")
LOG_NAMES_VI = {
    "seeding": "Gieo trồng / thả giống",
    "input": "Bón phân / phun thuốc / cho ăn",
    "observation": "Quan sát",
    "harvest": "Thu hoạch",
    "processing": "Sơ chế / chế biến",
    "packing": "Đóng gói",
}
# A phone's clock may run a little ahead; beyond that a date in the future is refused (issue 15: a harvest dated
# after the pre-harvest interval slipped past the check and the trace page showed the future date).
FUTURE_TOLERANCE = timedelta(minutes=5)
SCHEME_VI = {"vietgap": "VietGAP", "ocop": "OCOP", "organic": "Hữu cơ"}


def _audit(db: Session, who: dict[str, str], action: str, kind: str, oid: int, after: dict[str, Any]) -> None:
    audit.record(
        db,
        actor=who["actor"],
        actor_kind=who["actor_kind"],
        action=action,
        object_type=kind,
        object_id=str(oid),
        after=after,
    )


# -- farms, plots, certifications ---------------------------------------------------------------------
def get_farm(db: Session, farm_id: int) -> Farm:
    farm = db.get(Farm, farm_id)
    if farm is None:
        raise NotFound("Không tìm thấy cơ sở sản xuất.", "Farm not found.", code="farm_not_found")
    return farm


def list_farms(db: Session) -> list[Farm]:
    return list(db.scalars(select(Farm).order_by(Farm.id).limit(5000)))


def _check_gtin(gtin: str | None) -> str | None:
    if gtin is None:
        return None
    if not gs1.is_valid_gtin(gtin):
        raise InvalidInput(
            "Mã GTIN không hợp lệ (độ dài 8, 12, 13 hoặc 14 chữ số và số kiểm tra GS1 đúng).",
            "Invalid GTIN (8, 12, 13 or 14 digits with a correct GS1 check digit).",
            code="gtin_invalid",
        )
    return gs1.gtin14(gtin)


def create_farm(db: Session, data: FarmIn, *, actor: str, actor_kind: str) -> Farm:
    if data.owner_household_id is not None and db.get(Household, data.owner_household_id) is None:
        raise NotFound("Không tìm thấy hộ gia đình.", "Household not found.", code="household_not_found")
    farm = Farm(**data.model_dump(exclude={"gtin"}), gtin=_check_gtin(data.gtin))
    db.add(farm)
    db.flush()
    who = {"actor": actor, "actor_kind": actor_kind}
    _audit(db, who, "create", "farm", farm.id, FarmOut.model_validate(farm).model_dump(mode="json"))
    return farm


def add_plot(db: Session, farm_id: int, data: PlotIn, *, actor: str, actor_kind: str) -> Plot:
    get_farm(db, farm_id)
    plot = Plot(farm_id=farm_id, **data.model_dump())
    db.add(plot)
    db.flush()
    who = {"actor": actor, "actor_kind": actor_kind}
    _audit(db, who, "create", "plot", plot.id, PlotOut.model_validate(plot).model_dump(mode="json"))
    return plot


def add_certification(
    db: Session, farm_id: int, data: CertificationIn, *, actor: str, actor_kind: str
) -> Certification:
    get_farm(db, farm_id)
    if data.valid_to < data.valid_from:
        raise InvalidInput(
            "Ngày hết hạn phải sau ngày cấp.", "valid_to must not precede valid_from.", code="validity_invalid"
        )
    if data.scheme == "ocop" and data.stars is None:
        raise InvalidInput("Chứng nhận OCOP cần số sao (3–5).", "OCOP needs a star rating (3–5).", code="ocop_stars")
    if data.scheme != "ocop" and data.stars is not None:
        raise InvalidInput("Chỉ OCOP có số sao.", "Only OCOP has stars.", code="stars_not_applicable")
    cert = Certification(farm_id=farm_id, **data.model_dump())
    db.add(cert)
    db.flush()
    who = {"actor": actor, "actor_kind": actor_kind}
    _audit(db, who, "create", "certification", cert.id, CertificationOut.model_validate(cert).model_dump(mode="json"))
    return cert


def farm_plots(db: Session, farm_id: int) -> list[Plot]:
    return list(db.scalars(select(Plot).where(Plot.farm_id == farm_id).order_by(Plot.id)))


def farm_certifications(db: Session, farm_id: int) -> list[Certification]:
    return list(db.scalars(select(Certification).where(Certification.farm_id == farm_id).order_by(Certification.id)))


# -- the log ------------------------------------------------------------------------------------------
def list_logs(db: Session, farm_id: int) -> list[ProductionLog]:
    get_farm(db, farm_id)
    q = select(ProductionLog).where(ProductionLog.farm_id == farm_id).order_by(ProductionLog.at, ProductionLog.id)
    return list(db.scalars(q.limit(5000)))


def _need(value: object, field: str, log_type: str) -> None:
    if value is None:
        raise InvalidInput(
            f"Nhật ký '{LOG_NAMES_VI[log_type]}' cần trường '{field}'.",
            f"A {log_type} log needs '{field}'.",
            code="log_field_missing",
            field=field,
        )


def check_pre_harvest_interval(db: Session, farm_id: int, plot_id: int | None, at: datetime) -> None:
    """409 `pre_harvest_interval` when an input on this plot (or farm-wide) still blocks a harvest at `at`."""
    q = select(ProductionLog).where(
        ProductionLog.farm_id == farm_id,
        ProductionLog.log_type == "input",
        ProductionLog.phi_days.is_not(None),
        ProductionLog.at <= at,
    )
    if plot_id is not None:
        q = q.where(or_(ProductionLog.plot_id == plot_id, ProductionLog.plot_id.is_(None)))
    blocking = [
        (log, log.at + timedelta(days=log.phi_days or 0))
        for log in db.scalars(q)
        if log.at + timedelta(days=log.phi_days or 0) > at
    ]
    if blocking:
        log, until = max(blocking, key=lambda pair: pair[1])
        raise Conflict(
            f"Chưa hết thời gian cách ly của '{log.material}' ({log.phi_days} ngày): "
            f"chỉ được thu hoạch từ {until.astimezone(epcis.VN):%d/%m/%Y %H:%M}.",
            f"The pre-harvest interval of '{log.material}' ({log.phi_days} days) has not elapsed: "
            f"harvest allowed from {until.isoformat()}.",
            code="pre_harvest_interval",
            input_log_id=log.id,
            harvest_allowed_from=until.isoformat(),
        )


def get_lot(db: Session, lot_id: int) -> Lot:
    lot = db.get(Lot, lot_id)
    if lot is None:
        raise NotFound("Không tìm thấy lô hàng.", "Lot not found.", code="lot_not_found")
    return lot


def _new_lot(
    db: Session, tenant: TenantInfo, farm: Farm, data: LogIn, product_name: str, at: datetime, source: Lot | None
) -> Lot:
    lot = Lot(
        code=uuid.uuid4().hex[:20],  # replaced below once the id is known
        farm_id=farm.id,
        product_name=product_name,
        gtin=farm.gtin,
        quantity=data.quantity,
        unit=data.unit,
        produced_at=at,
        source_lot_id=source.id if source else None,
    )
    db.add(lot)
    db.flush()
    # Unique across the fleet (commune code first) and within GS1 AI (10): at most 20 characters.
    lot.code = f"{tenant.commune_code}-{at.astimezone(epcis.VN):%y%m%d}-{lot.id:05d}"
    db.flush()
    return lot


def add_log(
    db: Session, tenant: TenantInfo, farm_id: int, data: LogIn, *, actor: str, actor_kind: str
) -> tuple[ProductionLog, Lot | None]:
    farm = get_farm(db, farm_id)
    at = data.at or datetime.now(UTC)
    if at.tzinfo is None:
        at = at.replace(tzinfo=epcis.VN)
    if at > datetime.now(UTC) + FUTURE_TOLERANCE:
        raise InvalidInput(
            f"Ngày ghi nhật ký ({at.astimezone(epcis.VN):%d/%m/%Y %H:%M}) ở tương lai: "
            "chỉ ghi việc đã làm, không ghi trước.",
            "The log date is in the future: record what has been done, not ahead of time.",
            code="log_date_in_future",
            field="at",
        )
    if data.plot_id is not None:
        plot = db.get(Plot, data.plot_id)
        if plot is None or plot.farm_id != farm_id:
            raise NotFound("Không tìm thấy thửa/khu nuôi.", "Plot not found.", code="plot_not_found")
    lot: Lot | None = None
    source: Lot | None = None
    if data.log_type == "input":
        _need(data.material, "material", "input")
        _need(data.amount, "amount", "input")
        _need(data.amount_unit, "amount_unit", "input")
    elif data.log_type == "harvest":
        _need(data.quantity, "quantity", "harvest")
        _need(data.unit, "unit", "harvest")
        check_pre_harvest_interval(db, farm_id, data.plot_id, at)
        lot = _new_lot(db, tenant, farm, data, data.product_name or farm.commodity, at, None)
    elif data.log_type in ("processing", "packing"):
        _need(data.source_lot_id, "source_lot_id", data.log_type)
        _need(data.quantity, "quantity", data.log_type)
        _need(data.unit, "unit", data.log_type)
        source = get_lot(db, data.source_lot_id or 0)
        if source.farm_id != farm_id:
            raise NotFound("Không tìm thấy lô hàng.", "Lot not found.", code="lot_not_found")
        lot = _new_lot(db, tenant, farm, data, data.product_name or source.product_name, at, source)
    log = ProductionLog(
        farm_id=farm_id,
        plot_id=data.plot_id,
        log_type=data.log_type,
        at=at,
        notes=data.notes,
        notes_public=data.notes_public,
        material=data.material if data.log_type == "input" else None,
        input_kind=data.input_kind if data.log_type == "input" else None,
        amount=data.amount if data.log_type == "input" else None,
        amount_unit=data.amount_unit if data.log_type == "input" else None,
        phi_days=data.phi_days if data.log_type == "input" else None,
        lot_id=lot.id if lot else None,
        source_lot_id=source.id if source else None,
        created_by=actor,
    )
    db.add(log)
    db.flush()
    who = {"actor": actor, "actor_kind": actor_kind}
    _audit(db, who, "create", "production_log", log.id, LogOut.model_validate(log).model_dump(mode="json"))
    if lot is not None:
        _audit(db, who, "create", "lot", lot.id, lot_out(tenant, lot).model_dump(mode="json"))
    return log, lot


# -- lots: URIs, trace, EPCIS ---------------------------------------------------------------------------
def lot_out(tenant: TenantInfo, lot: Lot) -> LotOut:
    out = LotOut.model_validate(lot)
    out.uri = gs1.lot_uri(tenant, lot.gtin, lot.code)
    return out


def list_lots(db: Session, farm_id: int | None = None) -> list[Lot]:
    q = select(Lot).order_by(Lot.id.desc()).limit(1000)
    if farm_id is not None:
        q = q.where(Lot.farm_id == farm_id)
    return list(db.scalars(q))


def resolve_lot(db: Session, code: str, gtin: str | None) -> Lot:
    """The lot a public URI names; a GTIN that does not match the lot's answers 404 like a missing lot."""
    lot = db.scalar(select(Lot).where(Lot.code == code)) if gs1.is_valid_lot(code) else None
    if (
        lot is None
        or (gtin is not None and (lot.gtin is None or lot.gtin != gs1.gtin14(gtin)))
        or (gtin is None and lot.gtin is not None)
    ):
        raise NotFound("Không tìm thấy lô hàng.", "Lot not found.", code="lot_not_found")
    return lot


def _lineage(db: Session, lot: Lot) -> list[Lot]:
    """The lot and its source lots, oldest first (processing chains are short)."""
    chain = [lot]
    while chain[-1].source_lot_id is not None and len(chain) < 20:
        parent = db.get(Lot, chain[-1].source_lot_id)
        if parent is None:
            break
        chain.append(parent)
    return list(reversed(chain))


def _origin_logs(db: Session, lot: Lot) -> tuple[ProductionLog | None, list[ProductionLog]]:
    """The log that made the lot and the field logs (seeding, input, observation) that led to it."""
    made = db.scalar(select(ProductionLog).where(ProductionLog.lot_id == lot.id))
    if made is None or made.log_type != "harvest":  # processing/packing: its field history is the source's
        return made, []
    q = select(ProductionLog).where(
        ProductionLog.farm_id == made.farm_id,
        ProductionLog.log_type.in_(FIELD_LOGS),
        ProductionLog.at <= made.at,
    )
    if made.plot_id is not None:
        q = q.where(or_(ProductionLog.plot_id == made.plot_id, ProductionLog.plot_id.is_(None)))
    return made, list(db.scalars(q.order_by(ProductionLog.at, ProductionLog.id).limit(500)))


def trace(db: Session, tenant: TenantInfo, lot: Lot) -> dict[str, Any]:
    farm = get_farm(db, lot.farm_id)
    today = date.today()
    certs = [
        {
            "scheme": c.scheme,
            "name": SCHEME_VI[c.scheme] + (f" {c.stars} sao" if c.stars else ""),
            "certificate_no": c.certificate_no,
            "issuer": c.issuer,
            "valid_from": c.valid_from.isoformat(),
            "valid_to": c.valid_to.isoformat(),
            "valid": c.valid_from <= today <= c.valid_to,
        }
        for c in farm_certifications(db, farm.id)
    ]
    timeline: list[dict[str, Any]] = []
    for step in _lineage(db, lot):
        made, field_logs = _origin_logs(db, step)
        for log in [*field_logs, *([made] if made else [])]:
            entry: dict[str, Any] = {
                "type": log.log_type,
                "name": units.step_name(log.log_type, log.input_kind),
                "at": log.at.isoformat(),
            }
            if log.notes and log.notes_public:  # internal notes stay with the farm and the commune
                entry["notes"] = log.notes
            if log.log_type == "input":
                entry |= {
                    "material": log.material,
                    "input_kind": log.input_kind,
                    "amount": units.quantity(log.amount, log.amount_unit),
                    "amount_value": f"{log.amount.normalize():f}" if log.amount is not None else None,
                    "amount_unit": log.amount_unit,
                    "phi_days": log.phi_days,
                }
            if log.lot_id:
                entry |= {
                    "lot": step.code,
                    "quantity": units.quantity(step.quantity, step.unit),
                    "quantity_value": f"{step.quantity.normalize():f}",
                    "unit": step.unit,
                }
            timeline.append(entry)
    return {
        "uri": gs1.lot_uri(tenant, lot.gtin, lot.code),
        "lot": {
            "code": lot.code,
            "product": lot.product_name,
            "gtin": lot.gtin,
            "quantity": f"{lot.quantity.normalize():f}",
            "unit": lot.unit,
            "quantity_text": units.quantity(lot.quantity, lot.unit),
            "produced_at": lot.produced_at.isoformat(),
        },
        "producer": {
            "name": farm.producer_name,
            "farm": farm.name,
            "kind": farm.kind,
            "commodity": farm.commodity,
            "commune": tenant.name,
        },
        "certifications": certs,
        "timeline": timeline,
    }


def _epc_class(tenant: TenantInfo, lot: Lot) -> dict[str, Any]:
    return epcis.quantity(gs1.lot_uri(tenant, lot.gtin, lot.code), float(lot.quantity), lot.unit)


def epcis_document(db: Session, tenant: TenantInfo, lot: Lot) -> dict[str, Any]:
    base = gs1.commune_base_url(tenant)
    events: list[dict[str, Any]] = []
    chain = _lineage(db, lot)
    for i, step in enumerate(chain):
        made, field_logs = _origin_logs(db, step)
        if made is None:
            continue
        if made.log_type == "harvest":
            inputs = [
                {
                    "type": f.log_type,
                    "at": epcis.event_time(f.at),
                    "material": f.material,
                    "amount": float(f.amount) if f.amount is not None else None,
                    "unit": f.amount_unit,
                    "phi_days": f.phi_days,
                }
                for f in field_logs
            ]
            events.append(
                epcis.harvest_event(
                    base_url=base,
                    log_id=made.id,
                    at=made.at,
                    epc_class=gs1.lot_uri(tenant, step.gtin, step.code),
                    amount=float(step.quantity),
                    uom=step.unit,
                    farm_id=step.farm_id,
                    plot_id=made.plot_id,
                    inputs=inputs,
                )
            )
        elif i > 0:
            events.append(
                epcis.transformation_event(
                    base_url=base,
                    log_id=made.id,
                    at=made.at,
                    source=_epc_class(tenant, chain[i - 1]),
                    output=_epc_class(tenant, step),
                    farm_id=step.farm_id,
                    packing=made.log_type == "packing",
                )
            )
    return epcis.document(base, events, datetime.now(UTC))
