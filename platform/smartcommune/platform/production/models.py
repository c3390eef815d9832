"""Farms, plots, the production log (farmOS log types), lots and certifications.

`owner_household_id` is a plain reference into the residents register (no foreign key across domains'
lifecycles, as fees does). Quantities are decimals in the lot's unit; nothing here is money.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    SmallInteger,
    String,
    Text,
    false,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from smartcommune.tenants.tenant_schema import TenantBase, commune_id

LOG_TYPES = ("seeding", "input", "observation", "harvest", "processing", "packing")


class Farm(TenantBase):
    __tablename__ = "farms"

    id: Mapped[int] = commune_id()
    name: Mapped[str] = mapped_column(String(200))
    owner_household_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    producer_name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))  # crop | livestock | aquaculture
    commodity: Mapped[str] = mapped_column(String(120))  # ớt, gà Cỏ, dược liệu…
    area_m2: Mapped[float | None] = mapped_column(Float)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    gtin: Mapped[str | None] = mapped_column(String(14))  # the producer's GTIN-14, check digit verified
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Plot(TenantBase):
    __tablename__ = "plots"

    id: Mapped[int] = commune_id()
    farm_id: Mapped[int] = mapped_column(ForeignKey("farms.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    crop: Mapped[str | None] = mapped_column(String(120))
    area_m2: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Certification(TenantBase):
    __tablename__ = "certifications"

    id: Mapped[int] = commune_id()
    farm_id: Mapped[int] = mapped_column(ForeignKey("farms.id"), index=True)
    scheme: Mapped[str] = mapped_column(String(20))  # vietgap | ocop | organic
    stars: Mapped[int | None] = mapped_column(SmallInteger)  # OCOP 3–5 stars
    certificate_no: Mapped[str] = mapped_column(String(80))
    issuer: Mapped[str] = mapped_column(String(200), default="")
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Lot(TenantBase):
    """A harvested or processed quantity with its own lot code (GS1 AI 10), unique in the commune."""

    __tablename__ = "lots"

    id: Mapped[int] = commune_id()
    code: Mapped[str] = mapped_column(String(20), unique=True)
    farm_id: Mapped[int] = mapped_column(ForeignKey("farms.id"), index=True)
    product_name: Mapped[str] = mapped_column(String(200))
    gtin: Mapped[str | None] = mapped_column(String(14))
    quantity: Mapped[Decimal] = mapped_column(Numeric(14, 3))
    unit: Mapped[str] = mapped_column(String(10))  # KGM, TNE, H87 (pieces), LTR…
    produced_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    source_lot_id: Mapped[int | None] = mapped_column(ForeignKey("lots.id"))  # processing/packing input
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ProductionLog(TenantBase):
    __tablename__ = "production_logs"
    __table_args__ = (Index("ix_production_logs_farm_at", "farm_id", "at"),)

    id: Mapped[int] = commune_id()
    farm_id: Mapped[int] = mapped_column(ForeignKey("farms.id"))
    plot_id: Mapped[int | None] = mapped_column(ForeignKey("plots.id"), index=True)
    log_type: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    notes: Mapped[str] = mapped_column(Text, default="")
    # Notes reach the public trace page only when marked public (t0024): internal by default.
    notes_public: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    material: Mapped[str | None] = mapped_column(String(200))  # input: fertiliser / pesticide name
    input_kind: Mapped[str | None] = mapped_column(String(20))  # fertiliser | pesticide | feed | veterinary
    amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 3))
    amount_unit: Mapped[str | None] = mapped_column(String(10))
    phi_days: Mapped[int | None] = mapped_column(Integer)  # pre-harvest interval of an input
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("lots.id"), index=True)  # output of harvest/processing
    source_lot_id: Mapped[int | None] = mapped_column(ForeignKey("lots.id"))  # input of processing
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
