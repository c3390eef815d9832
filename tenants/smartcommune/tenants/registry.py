"""The commune registry: create, show, list, suspend, resume, delete. Runs on the owner connection."""

from __future__ import annotations

import json
import re
import time
import uuid
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, delete, func, insert, or_, select, text
from sqlalchemy.orm import Session

from smartcommune.tenants.authz import store as policy_store
from smartcommune.tenants.authz.authorizer import current_enforcer
from smartcommune.tenants.bounds import INT_MAX
from smartcommune.tenants.context import TenantInfo, current_request_id
from smartcommune.tenants.control.models import IdentityAccount, Tenant
from smartcommune.tenants.database import quote_ident, role_names
from smartcommune.tenants.errors import Conflict, InvalidInput, NotFound
from smartcommune.tenants.migrations.runtime import creation_script, tenant_head
from smartcommune.tenants.official_list import OfficialCommune, fold, lookup_commune

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{1,38}[a-z0-9])$")
TENANT_CHANNEL = "sc_tenants"
STATUSES = ("active", "suspended")


@dataclass(frozen=True)
class CreatedCommune:
    tenant: TenantInfo
    seconds: float


def schema_name_for(code: int) -> str:
    return f"c_{code}"


def info_from_row(row: Tenant) -> TenantInfo:
    return TenantInfo(
        id=row.id,
        slug=row.slug,
        commune_code=row.commune_code,
        province_code=row.province_code,
        name=row.name,
        status=row.status,
        schema_name=row.schema_name,
        role_name=row.role_name,
    )


def default_slug(official: OfficialCommune) -> str:
    base = re.sub(r"^(xa|phuong|dac_khu)_", "", official.codename)
    return base.replace("_", "-")[:40].strip("-")


def _slug_taken(conn: Connection, slug: str) -> bool:
    return conn.execute(select(Tenant.id).where(Tenant.slug == slug)).first() is not None


def _pick_slug(conn: Connection, official: OfficialCommune, requested: str | None) -> str:
    if requested is not None:
        if not SLUG_RE.match(requested) or "--" in requested:
            raise InvalidInput(
                "Tên định danh (slug) chỉ gồm chữ thường không dấu, số và dấu gạch ngang, 3–40 ký tự.",
                "The slug must be 3-40 lowercase letters, digits or hyphens, starting and ending alphanumeric.",
                code="invalid_slug",
                slug=requested,
            )
        if _slug_taken(conn, requested):
            raise Conflict(
                f"Tên định danh '{requested}' đã được dùng.",
                f"Slug '{requested}' is taken.",
                code="slug_taken",
                slug=requested,
            )
        return requested
    base = default_slug(official)
    province = official.province_codename.replace("_", "-")
    for candidate in (base, f"{base}-{province}"[:40].strip("-"), f"{base[:33]}-{official.code}"):
        if not _slug_taken(conn, candidate):
            return candidate
    raise Conflict("Không tìm được tên định danh trống.", "No free slug found.", code="slug_taken")


def official_or_error(commune_code: int, province_code: int | None) -> OfficialCommune:
    official = lookup_commune(commune_code)
    if official is None:
        raise InvalidInput(
            f"Mã xã {commune_code} không có trong danh mục đơn vị hành chính 2025.",
            f"Commune code {commune_code} is not in the official 2025 list.",
            code="unknown_commune_code",
            commune_code=commune_code,
        )
    if province_code is not None and province_code != official.province_code:
        raise InvalidInput(
            f"Xã {official.name} thuộc tỉnh {official.province_name} (mã {official.province_code}).",
            f"{official.name} belongs to province {official.province_code}, not {province_code}.",
            code="province_mismatch",
            commune_code=commune_code,
            province_code=province_code,
        )
    return official


def _privileges_before_ddl(schema: str, role: str) -> str:
    """Default privileges first, so every table the script creates is granted as it is created.

    `GRANT ... ON ALL TABLES IN SCHEMA` would scan all of pg_class (it has no index on the namespace),
    a cost that grows with the fleet; default privileges also cover tables later migrations add.
    """
    s, r = quote_ident(schema), quote_ident(role)
    return (
        f"GRANT USAGE ON SCHEMA {s} TO {r}; "
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {s} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {r}; "
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {s} GRANT USAGE, SELECT ON SEQUENCES TO {r};\n"
    )


def _revocations_after_ddl(schema: str, role: str) -> str:
    """The version row belongs to the migration runner; the audit log is append-only."""
    s, r = quote_ident(schema), quote_ident(role)
    return (
        f"REVOKE INSERT, UPDATE, DELETE ON {s}.alembic_version FROM {r}; "
        f"REVOKE UPDATE, DELETE ON {s}.audit_log FROM {r}"
    )


def create_commune(
    engine: Engine,
    commune_code: int,
    *,
    slug: str | None = None,
    province_code: int | None = None,
    template: str = "base",
    plan: str = "standard",
    revision: str | None = None,
    suspended_reason: str | None = None,
) -> CreatedCommune:
    """One transaction: role, schema, the compiled DDL script of the head, grants, version stamp, catalog row.

    With `suspended_reason` the commune is born suspended (provisioning holds it until its run activates it),
    so no crash between creating and configuring it can leave it in use half-configured.
    """
    status = "suspended" if suspended_reason is not None else "active"
    started = time.perf_counter()
    official = official_or_error(commune_code, province_code)
    target = revision or tenant_head()
    script = creation_script(target)
    schema = schema_name_for(official.code)
    role = role_names().commune(schema)
    app = role_names().app
    with engine.begin() as conn:
        conn.execute(text("SET LOCAL lock_timeout = '5s'"))
        # Concurrent creations of one commune, or for one slug, queue here instead of colliding on the role,
        # schema or slug (a 500): the later ones then see the first and get a clean 409.
        conn.execute(text("SELECT pg_advisory_xact_lock(hashtext('sc_commune'), :c)"), {"c": official.code})
        conn.execute(
            text("SELECT pg_advisory_xact_lock(hashtext('sc_slug'), hashtext(:s))"),
            {"s": slug if slug is not None else default_slug(official)},
        )
        if conn.execute(select(Tenant.id).where(Tenant.commune_code == official.code)).first():
            raise Conflict(
                f"{official.name} đã được đưa lên nền tảng.",
                f"{official.name} is already onboarded.",
                code="commune_exists",
                commune_code=official.code,
            )
        chosen = _pick_slug(conn, official, slug)
        conn.exec_driver_sql(
            f"CREATE ROLE {quote_ident(role)} NOLOGIN; "
            f"GRANT {quote_ident(role)} TO {quote_ident(app)}; "
            f"CREATE SCHEMA {quote_ident(schema)}; "
            f"SET LOCAL search_path TO {quote_ident(schema)};\n"
            + _privileges_before_ddl(schema, role)
            + script
            + ";\n"
            + _revocations_after_ddl(schema, role)
        )
        row = Tenant(
            id=uuid.uuid4(),
            slug=chosen,
            commune_code=official.code,
            province_code=official.province_code,
            name=official.name,
            province_name=official.province_name,
            status=status,
            suspended_reason=suspended_reason,
            plan=plan,
            template=template,
            schema_name=schema,
            role_name=role,
            schema_revision=target,
            search_text=" ".join([fold(official.name), chosen, str(official.code), fold(official.province_name)]),
        )
        conn.execute(
            insert(Tenant).values(
                {
                    c.name: getattr(row, c.key)
                    for c in Tenant.__table__.columns
                    if c.name not in ("created_at", "updated_at")
                }
            )
        )
        conn.execute(text("SELECT pg_notify(:c, :p)"), {"c": TENANT_CHANNEL, "p": chosen})
    tenant = TenantInfo(
        id=row.id,
        slug=chosen,
        commune_code=official.code,
        province_code=official.province_code,
        name=official.name,
        status=status,
        schema_name=schema,
        role_name=role,
    )
    return CreatedCommune(tenant=tenant, seconds=time.perf_counter() - started)


def _find(session: Session, key: str | int | uuid.UUID, *, lock: bool = False) -> Tenant:
    query = select(Tenant)
    if isinstance(key, uuid.UUID):
        query = query.where(Tenant.id == key)
    elif isinstance(key, int) or (key.isascii() and key.isdigit()):
        code = int(key)
        if not 0 <= code <= INT_MAX:  # commune_code is INTEGER: such a code names no commune
            raise NotFound("Không tìm thấy xã.", "Commune not found.", code="commune_not_found")
        query = query.where(Tenant.commune_code == code)
    else:
        query = query.where(Tenant.slug == key)
    found = session.scalar(query.with_for_update() if lock else query)
    if found is None:
        raise NotFound("Không tìm thấy xã.", "Commune not found.", code="commune_not_found")
    return found


def get_commune(engine: Engine, key: str | int | uuid.UUID) -> Tenant:
    with Session(engine, expire_on_commit=False) as session:
        return _find(session, key)


@dataclass(frozen=True)
class CommunePage:
    items: list[Tenant]
    total: int


def list_communes(
    engine: Engine,
    *,
    q: str | None = None,
    province_code: int | None = None,
    status: str | None = None,
    template: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> CommunePage:
    if status is not None and status not in STATUSES:
        raise InvalidInput("Trạng thái không hợp lệ.", f"Unknown status {status!r}.", code="invalid_status")
    conds = []
    if q:
        needle = f"%{fold(q.strip())}%"
        conds.append(or_(Tenant.search_text.like(needle), Tenant.slug.like(needle)))
    if province_code is not None:
        conds.append(Tenant.province_code == province_code)
    if status is not None:
        conds.append(Tenant.status == status)
    if template is not None:
        conds.append(Tenant.template == template)
    with Session(engine, expire_on_commit=False) as session:
        total = session.scalar(select(func.count()).select_from(Tenant).where(*conds)) or 0
        items = session.scalars(
            select(Tenant)
            .where(*conds)
            .order_by(Tenant.province_code, Tenant.commune_code)
            .limit(min(max(limit, 1), 500))
            .offset(max(offset, 0))
        ).all()
        return CommunePage(items=list(items), total=total)


def _set_status(engine: Engine, key: str | int | uuid.UUID, status: str, reason: str | None, actor: str) -> Tenant:
    with Session(engine, expire_on_commit=False) as session, session.begin():
        tenant = _find(session, key, lock=True)
        before = {"status": tenant.status, "suspended_reason": tenant.suspended_reason}
        tenant.status = status
        tenant.suspended_reason = reason
        tenant.updated_at = func.now()  # type: ignore[assignment]
        # Provider writes are audited in the commune's own log, in the same transaction.
        session.execute(
            text(
                f"INSERT INTO {quote_ident(tenant.schema_name)}.audit_log "
                "(actor, actor_kind, action, object_type, object_id, before, after, request_id) "
                "VALUES (:actor, 'provider', :action, 'commune', :oid, CAST(:before AS jsonb), "
                "CAST(:after AS jsonb), :rid)"
            ),
            {
                "actor": actor,
                "action": "suspend" if status == "suspended" else "resume",
                "oid": str(tenant.commune_code),
                "before": json.dumps(before),
                "after": json.dumps({"status": status, "suspended_reason": reason}),
                "rid": current_request_id.get(),
            },
        )
        session.execute(text("SELECT pg_notify(:c, :p)"), {"c": TENANT_CHANNEL, "p": tenant.slug})
    with Session(engine, expire_on_commit=False) as session:
        return _find(session, tenant.id)


def suspend_commune(engine: Engine, key: str | int | uuid.UUID, reason: str = "", *, actor: str) -> Tenant:
    """Requests to a suspended commune answer 423; its data is kept."""
    return _set_status(engine, key, "suspended", reason, actor)


def resume_commune(engine: Engine, key: str | int | uuid.UUID, *, actor: str) -> Tenant:
    return _set_status(engine, key, "active", None, actor)


def delete_commune(engine: Engine, key: str | int | uuid.UUID, *, confirm_slug: str) -> Tenant:
    """Drop schema and role and forget the commune. Only a suspended commune, confirmed by its slug."""
    with Session(engine, expire_on_commit=False) as session, session.begin():
        tenant = _find(session, key, lock=True)
        if tenant.status != "suspended":
            raise Conflict(
                "Chỉ xoá được xã đã tạm ngừng. Hãy tạm ngừng trước.",
                "Only a suspended commune can be deleted; suspend it first.",
                code="commune_not_suspended",
            )
        if confirm_slug != tenant.slug:
            raise InvalidInput(
                "Xác nhận không khớp: hãy nhập đúng tên định danh của xã.",
                "Confirmation does not match the commune's slug.",
                code="confirmation_mismatch",
            )
        role, schema = quote_ident(tenant.role_name), quote_ident(tenant.schema_name)
        conn = session.connection()
        conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE; DROP OWNED BY {role}; DROP ROLE {role}")
        # The commune's assignments (`g, user, role, <code>`) and own roles (`p, role, <code>, ...`) leave
        # every process's enforcer too, not only the table: otherwise a token that is still valid keeps its
        # old role in a commune created later with the same code.
        domain = str(tenant.commune_code)
        removed = policy_store.delete_filtered(conn, "g", 2, [domain])
        removed += policy_store.delete_filtered(conn, "p", 1, [domain])
        policy_store.notify(conn, removed=removed)
        session.execute(delete(IdentityAccount).where(IdentityAccount.commune_code == tenant.commune_code))
        session.delete(tenant)
        session.execute(text("SELECT pg_notify(:c, :p)"), {"c": TENANT_CHANNEL, "p": tenant.slug})
    enforcer = current_enforcer()
    if enforcer is not None:
        enforcer.apply_changes(removed=removed)
    return tenant


def all_tenant_infos(conn: Connection) -> list[TenantInfo]:
    result = conn.execute(
        select(
            Tenant.id,
            Tenant.slug,
            Tenant.commune_code,
            Tenant.province_code,
            Tenant.name,
            Tenant.status,
            Tenant.schema_name,
            Tenant.role_name,
        )
    )
    return [TenantInfo(*r) for r in result]
