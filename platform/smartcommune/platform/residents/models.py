from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from smartcommune.tenants.tenant_schema import TenantBase, commune_id

RESIDENT_STATUSES = ("pending", "verified", "rejected")


class Household(TenantBase):
    """A dwelling: the commune's own house number plus an Open Location Code of its position."""

    __tablename__ = "households"

    id: Mapped[int] = commune_id()
    village_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("villages.id"), index=True)
    house_number: Mapped[str] = mapped_column(String(40), unique=True)
    head_name: Mapped[str | None] = mapped_column(String(200))
    address_line: Mapped[str | None] = mapped_column(String(300))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    plus_code: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    archived_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    archived_by: Mapped[str | None] = mapped_column(String(120))

    @property
    def address_code(self) -> str:
        """The digital address: plus code of the position, then the commune's house number."""
        return f"{self.plus_code}/{self.house_number}" if self.plus_code else self.house_number


class Resident(TenantBase):
    __tablename__ = "residents"
    __table_args__ = (
        # One resident record per phone and per account; NULLs (no phone, not registered) may repeat.
        Index("uq_residents_phone", "phone", unique=True, postgresql_where=text("phone IS NOT NULL")),
        Index(
            "uq_residents_account_subject",
            "account_subject",
            unique=True,
            postgresql_where=text("account_subject IS NOT NULL"),
        ),
        Index("ix_residents_groups", "groups", postgresql_using="gin"),
        Index("ix_residents_status_village", "status", "village_id"),
    )

    id: Mapped[int] = commune_id()
    full_name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(20))  # E.164 (+84…)
    household_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("households.id"), index=True)
    village_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("villages.id"))
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    groups: Mapped[list[str]] = mapped_column(ARRAY(String(40)), server_default=text("'{}'::varchar[]"))
    account_subject: Mapped[str | None] = mapped_column(String(64))  # the identity account (token `sub`)
    status: Mapped[str] = mapped_column(String(20), default="verified")
    source: Mapped[str] = mapped_column(String(20), default="official")  # official | self | import
    review_note: Mapped[str | None] = mapped_column(String(500))
    reviewed_by: Mapped[str | None] = mapped_column(String(120))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    archived_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    archived_by: Mapped[str | None] = mapped_column(String(120))

    @property
    def registered(self) -> bool:
        """Linked to an account that logged in (so in-app and push messages can reach them)."""
        return self.account_subject is not None


class VillageHead(TenantBase):
    """The villages a village head (an account, token `sub`) speaks for; set by the commune admin."""

    __tablename__ = "village_heads"
    __table_args__ = (UniqueConstraint("subject", "village_id", name="uq_village_heads_subject_village_id"),)

    id: Mapped[int] = commune_id()
    subject: Mapped[str] = mapped_column(String(64))
    village_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("villages.id", ondelete="CASCADE"), index=True)
    assigned_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
