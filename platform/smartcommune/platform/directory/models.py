from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Computed,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    func,
)
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from smartcommune.tenants.tenant_schema import TenantBase, commune_id

# The IMMUTABLE diacritics folding function bootstrap creates once per database (unaccent where the server
# has it, else a translate() table with the same result for Vietnamese): usable in a generated column.
FOLD_FUNCTION = "extensions.f_unaccent"
_SEARCH_SOURCE = "coalesce(title, '') || ' ' || coalesce(doc_number, '') || ' ' || coalesce(summary, '')"
SEARCH_EXPRESSION = f"to_tsvector('simple'::regconfig, {FOLD_FUNCTION}(lower({_SEARCH_SOURCE})))"


class Contact(TenantBase):
    __tablename__ = "contacts"

    id: Mapped[int] = commune_id()
    kind: Mapped[str] = mapped_column(String(20))  # official | hotline
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[str] = mapped_column(String(200), default="")
    department: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(200))
    hours: Mapped[str] = mapped_column(String(200), default="")
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class LibraryCategory(TenantBase):
    __tablename__ = "library_categories"

    id: Mapped[int] = commune_id()
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))


class LibraryDocument(TenantBase):
    __tablename__ = "library_documents"
    __table_args__ = (Index("ix_library_documents_search", "search", postgresql_using="gin"),)

    id: Mapped[int] = commune_id()
    category_id: Mapped[int] = mapped_column(ForeignKey("library_categories.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    doc_number: Mapped[str] = mapped_column(String(60), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    issued_on: Mapped[date | None] = mapped_column(Date)
    file_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("files.id"))
    published: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    search: Mapped[str] = mapped_column(TSVECTOR, Computed(SEARCH_EXPRESSION, persisted=True))
