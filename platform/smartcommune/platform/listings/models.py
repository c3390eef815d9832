"""Listings and the booking/order requests visitors send. Money is BIGINT VND."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from smartcommune.tenants.tenant_schema import TenantBase, commune_id


class Listing(TenantBase):
    __tablename__ = "listings"

    id: Mapped[int] = commune_id()
    kind: Mapped[str] = mapped_column(String(20), index=True)  # service | tourism | product
    category: Mapped[str] = mapped_column(String(60))  # cay_xoi, phun_thuoc_drone, thu_y, homestay, tour, dac_san…
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    price_vnd: Mapped[int | None] = mapped_column(BigInteger)
    price_unit: Mapped[str] = mapped_column(String(40), default="")  # "/sào", "/đêm", "/kg"
    contact_name: Mapped[str] = mapped_column(String(200))
    contact_phone: Mapped[str] = mapped_column(String(20))
    shop_links: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)  # [{"name", "url"}]
    photo_ids: Mapped[list[str]] = mapped_column(JSONB, default=list)  # stored files (purpose listing_photo)
    farm_id: Mapped[int | None] = mapped_column(BigInteger)  # a production farm, plain reference
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    accepts_card: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ListingRequest(TenantBase):
    """A booking (tourism, service) or an order (product) from a visitor; paid by card when offered."""

    __tablename__ = "listing_requests"
    __table_args__ = (
        # what the public rate limit counts: requests per phone and per client address in the last hour
        Index("ix_listing_requests_phone_created_at", "phone", "created_at"),
        Index("ix_listing_requests_client_ip_created_at", "client_ip", "created_at"),
    )

    id: Mapped[int] = commune_id()
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # booking | order
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(String(20))  # +84… (a leading 0 is rewritten)
    client_ip: Mapped[str | None] = mapped_column(String(45))  # the sender's address, for the rate limit
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    starts_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    amount_vnd: Mapped[int | None] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(
        String(20), default="new"
    )  # new | awaiting_payment | paid | confirmed | cancelled
    checkout_session_id: Mapped[str | None] = mapped_column(String(200), unique=True)
    checkout_url: Mapped[str | None] = mapped_column(String(1000))
    paid_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
