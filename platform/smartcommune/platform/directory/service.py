"""Contacts directory and the digital library (search ignores Vietnamese diacritics)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from smartcommune.platform.directory.models import FOLD_FUNCTION, Contact, LibraryCategory, LibraryDocument
from smartcommune.platform.directory.schemas import (
    ContactIn,
    ContactOut,
    ContactPatch,
    DocumentForm,
    DocumentOut,
    LibraryCategoryIn,
)
from smartcommune.platform.files.models import StoredFile
from smartcommune.platform.files.service import DOCUMENT, FileBody, read_file, store_upload
from smartcommune.tenants import audit
from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.errors import Conflict, InvalidInput, NotFound

_WORD = re.compile(r"\w+", re.UNICODE)
assert FOLD_FUNCTION == "extensions.f_unaccent"  # spelled `func.extensions.f_unaccent` below


def _audit(db: Session, actor: str, actor_kind: str, action: str, kind: str, oid: int, **kw: Any) -> None:
    audit.record(db, actor=actor, actor_kind=actor_kind, action=action, object_type=kind, object_id=str(oid), **kw)


# -- contacts -----------------------------------------------------------------------------------------
def contacts(db: Session, kind: str | None) -> Sequence[Contact]:
    query = select(Contact).order_by(Contact.kind, Contact.sort_order, Contact.name)
    if kind:
        query = query.where(Contact.kind == kind)
    return db.scalars(query).all()


def _contact(db: Session, contact_id: int) -> Contact:
    row = db.get(Contact, contact_id)
    if row is None:
        raise NotFound("Không tìm thấy liên hệ.", "Contact not found.", code="contact_not_found")
    return row


def create_contact(db: Session, data: ContactIn, *, actor: str, actor_kind: str) -> Contact:
    row = Contact(**data.model_dump())
    db.add(row)
    db.flush()
    _audit(db, actor, actor_kind, "create", "contact", row.id, after=ContactOut.model_validate(row).model_dump())
    return row


def update_contact(db: Session, contact_id: int, patch: ContactPatch, *, actor: str, actor_kind: str) -> Contact:
    row = _contact(db, contact_id)
    before = ContactOut.model_validate(row).model_dump()
    for key, value in patch.model_dump(exclude_unset=True).items():
        setattr(row, key, value)
    if not row.name:
        raise InvalidInput("Tên không được để trống.", "The name cannot be empty.", code="name_required")
    db.flush()
    _audit(
        db,
        actor,
        actor_kind,
        "update",
        "contact",
        row.id,
        before=before,
        after=ContactOut.model_validate(row).model_dump(),
    )
    return row


def delete_contact(db: Session, contact_id: int, *, actor: str, actor_kind: str) -> None:
    row = _contact(db, contact_id)
    before = ContactOut.model_validate(row).model_dump()
    db.delete(row)
    db.flush()
    _audit(db, actor, actor_kind, "delete", "contact", contact_id, before=before)


# -- library ------------------------------------------------------------------------------------------
def categories(db: Session) -> Sequence[LibraryCategory]:
    return db.scalars(select(LibraryCategory).order_by(LibraryCategory.name)).all()


def create_category(db: Session, data: LibraryCategoryIn, *, actor: str, actor_kind: str) -> LibraryCategory:
    taken = Conflict(
        f"Mã danh mục '{data.code}' đã tồn tại.", f"Category code '{data.code}' exists.", code="category_code_taken"
    )
    if db.scalar(select(LibraryCategory.id).where(LibraryCategory.code == data.code)) is not None:
        raise taken
    row = LibraryCategory(**data.model_dump())
    db.add(row)
    try:
        db.flush()
    except IntegrityError as e:
        raise taken from e
    _audit(db, actor, actor_kind, "create", "library_category", row.id, after=data.model_dump())
    return row


def add_document(
    db: Session, tenant: TenantInfo, data: DocumentForm, filename: str, blob: bytes, *, actor: str, actor_kind: str
) -> LibraryDocument:
    if db.get(LibraryCategory, data.category_id) is None:
        raise InvalidInput("Danh mục không hợp lệ.", "Unknown library category.", code="unknown_category")
    stored = store_upload(db, tenant, filename=filename, data=blob, purpose="library", actor=actor, rules=DOCUMENT)
    row = LibraryDocument(**data.model_dump(), file_id=stored.id, published=True, created_by=actor)
    db.add(row)
    db.flush()
    db.refresh(row)
    _audit(
        db,
        actor,
        actor_kind,
        "create",
        "library_document",
        row.id,
        after=DocumentOut.model_validate(row).model_dump(mode="json"),
    )
    return row


def unpublish(db: Session, document_id: int, *, actor: str, actor_kind: str) -> None:
    row = db.get(LibraryDocument, document_id)
    if row is None or not row.published:
        raise NotFound("Không tìm thấy tài liệu.", "Document not found.", code="document_not_found")
    row.published = False
    db.flush()
    _audit(
        db,
        actor,
        actor_kind,
        "unpublish",
        "library_document",
        row.id,
        before={"published": True},
        after={"published": False},
    )


def search_terms(q: str) -> list[str]:
    """Words of the query; the database folds them with the same function as the indexed text."""
    return _WORD.findall(q.lower())[:12]


def search(
    db: Session, *, q: str | None, category_id: int | None, limit: int, offset: int
) -> Sequence[LibraryDocument]:
    query = select(LibraryDocument).where(LibraryDocument.published.is_(True))
    if category_id is not None:
        query = query.where(LibraryDocument.category_id == category_id)
    terms = search_terms(q or "")
    if terms:
        # Every word must match as a prefix ("quyet" finds "quyết định"); the folding function is the one the
        # generated `search` column used, so "Quyết", "quyet" and "QUYET" all find the same documents.
        tsquery = func.to_tsquery("simple", func.extensions.f_unaccent(" & ".join(f"{t}:*" for t in terms)))
        query = query.where(LibraryDocument.search.op("@@")(tsquery)).order_by(
            func.ts_rank(LibraryDocument.search, tsquery).desc(), LibraryDocument.id.desc()
        )
    else:
        query = query.order_by(LibraryDocument.issued_on.desc().nulls_last(), LibraryDocument.id.desc())
    return db.scalars(query.limit(limit).offset(offset)).all()


def document_file(db: Session, tenant: TenantInfo, document_id: int) -> tuple[StoredFile, FileBody]:
    row = db.get(LibraryDocument, document_id)
    if row is None or not row.published:
        raise NotFound("Không tìm thấy tài liệu.", "Document not found.", code="document_not_found")
    return read_file(db, tenant, row.file_id)
