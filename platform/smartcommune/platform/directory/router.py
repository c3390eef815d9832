"""Contacts (`directory`) and library (`library`) management; public directory, library and search."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, Form, Query, UploadFile
from fastapi.responses import Response

from smartcommune.platform.directory import service
from smartcommune.platform.directory.schemas import (
    ContactIn,
    ContactOut,
    ContactPatch,
    DocumentForm,
    DocumentOut,
    LibraryCategoryIn,
    LibraryCategoryOut,
)
from smartcommune.platform.files.http import file_response, read_uploads
from smartcommune.platform.files.service import DOCUMENT
from smartcommune.platform.http.auth import CommuneCall, authorize, request_tenant, tenant_db
from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.session import TenantSession

router = APIRouter(tags=["directory"])


@router.get("/api/v1/public/contacts", response_model=list[ContactOut])
def public_contacts(
    kind: Literal["official", "hotline"] | None = None, db: TenantSession = Depends(tenant_db, scope="function")
) -> list[ContactOut]:
    return [ContactOut.model_validate(c) for c in service.contacts(db, kind)]


@router.post("/api/v1/contacts", response_model=ContactOut, status_code=201)
def create_contact(data: ContactIn, call: CommuneCall = Depends(authorize("directory", "write"))) -> ContactOut:
    row = service.create_contact(call.db, data, actor=call.actor, actor_kind=call.actor_kind)
    return ContactOut.model_validate(row)


@router.patch("/api/v1/contacts/{contact_id}", response_model=ContactOut)
def update_contact(
    contact_id: int, patch: ContactPatch, call: CommuneCall = Depends(authorize("directory", "write"))
) -> ContactOut:
    row = service.update_contact(call.db, contact_id, patch, actor=call.actor, actor_kind=call.actor_kind)
    return ContactOut.model_validate(row)


@router.delete("/api/v1/contacts/{contact_id}", status_code=204)
def delete_contact(contact_id: int, call: CommuneCall = Depends(authorize("directory", "write"))) -> Response:
    service.delete_contact(call.db, contact_id, actor=call.actor, actor_kind=call.actor_kind)
    return Response(status_code=204)


@router.get("/api/v1/public/library/categories", response_model=list[LibraryCategoryOut])
def public_library_categories(db: TenantSession = Depends(tenant_db, scope="function")) -> list[LibraryCategoryOut]:
    return [LibraryCategoryOut.model_validate(c) for c in service.categories(db)]


@router.get("/api/v1/public/library", response_model=list[DocumentOut])
def public_library(
    q: str | None = Query(default=None, max_length=200),
    category_id: int | None = None,
    limit: int = Query(default=30, ge=1, le=200),
    offset: int = Query(default=0, ge=0, le=100_000),
    db: TenantSession = Depends(tenant_db, scope="function"),
) -> list[DocumentOut]:
    rows = service.search(db, q=q, category_id=category_id, limit=limit, offset=offset)
    return [DocumentOut.model_validate(d) for d in rows]


@router.get("/api/v1/public/library/{document_id}/file")
def public_library_file(
    document_id: int,
    tenant: TenantInfo = Depends(request_tenant),
    db: TenantSession = Depends(tenant_db, scope="function"),
) -> Response:
    return file_response(*service.document_file(db, tenant, document_id))


@router.post("/api/v1/library/categories", response_model=LibraryCategoryOut, status_code=201)
def create_library_category(
    data: LibraryCategoryIn, call: CommuneCall = Depends(authorize("library", "write"))
) -> LibraryCategoryOut:
    row = service.create_category(call.db, data, actor=call.actor, actor_kind=call.actor_kind)
    return LibraryCategoryOut.model_validate(row)


@router.post("/api/v1/library", response_model=DocumentOut, status_code=201)
def add_document(
    data: Annotated[DocumentForm, Form()],
    file: Annotated[UploadFile, File()],
    call: CommuneCall = Depends(authorize("library", "write")),
) -> DocumentOut:
    [(name, blob)] = read_uploads([file], DOCUMENT.max_bytes)
    row = service.add_document(call.db, call.tenant, data, name, blob, actor=call.actor, actor_kind=call.actor_kind)
    return DocumentOut.model_validate(row)


@router.delete("/api/v1/library/{document_id}", status_code=204)
def unpublish_document(document_id: int, call: CommuneCall = Depends(authorize("library", "write"))) -> Response:
    service.unpublish(call.db, document_id, actor=call.actor, actor_kind=call.actor_kind)
    return Response(status_code=204)
