"""Fixtures of the API tests: the real app (`create_app()`) on the test database, behind a TestClient.

Every built-in role gets an account and a token from the embedded issuer in each of the two communes
(commune roles) or in the staff realm (provider roles). The process singletons (enforcer, tenant
resolver, token validators) are reset first so they bind to the test database, and the resolver's
LISTEN thread is started as `create_app()` does outside tests, so registry changes reach the API at once.

Test modules cannot import this file (pytest runs with `--import-mode=importlib`): helpers are handed out
as fixtures (`api`, `kit`) and the route table is parametrized through `pytest_generate_tests`.
"""

from __future__ import annotations

import inspect
import itertools
import os
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text

from smartcommune.main import create_app
from smartcommune.platform.http.tenancy import get_resolver, reset_resolver
from smartcommune.platform.identity.accounts import create_account, issue_token_for
from smartcommune.platform.identity.tokens import reset_validators
from smartcommune.platform.inbox.models import InboxItem
from smartcommune.platform.inbox.service import Message, notify
from smartcommune.platform.villages.models import Village
from smartcommune.tenants.authz import service as authz
from smartcommune.tenants.authz.authorizer import reset_enforcer
from smartcommune.tenants.authz.policy import (
    COMMUNE_OFFICIAL,
    COMMUNE_ROLES,
    PROVIDER_ADMIN,
    PROVIDER_ROLES,
    RESIDENT,
    VILLAGE_HEAD,
)
from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.database import app_engine, owner_engine, quote_ident
from smartcommune.tenants.official_list import all_communes
from smartcommune.tenants.principal import COMMUNE_REALM, PROVIDER_REALM, Principal
from smartcommune.tenants.session import tenant_transaction
from smartcommune.tenants.settings import get_settings

# The provider principal the fixtures act as when they seed data (as provisioning would).
SEEDER = Principal(subject="api-tests", realm=PROVIDER_REALM, realm_roles=(PROVIDER_ADMIN,), username="api-tests")
ALL_ROLES = PROVIDER_ROLES + COMMUNE_ROLES
PASSWORD = "MatKhau@2026!"  # test accounts only

_seq = itertools.count(1)


def unique(prefix: str) -> str:
    """A name no other test (in this session) uses: `<prefix>-<n><random>`."""
    return f"{prefix}-{next(_seq)}{uuid.uuid4().hex[:6]}"


# -- routes -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RouteSpec:
    """One (method, path) of the app and how it is guarded: `commune` (authorize), `provider`
    (authorize_provider) or `public` (no principal needed)."""

    method: str
    path: str
    kind: str
    obj: str | None = None
    act: str | None = None

    @property
    def id(self) -> str:
        return f"{self.method} {self.path}"


def _dependency_calls(route: APIRoute) -> Iterator[Callable[..., Any]]:
    stack = list(route.dependant.dependencies)
    while stack:
        dep = stack.pop()
        if dep.call is not None:
            yield dep.call
        stack.extend(dep.dependencies)


def discover_routes(app: FastAPI) -> list[RouteSpec]:
    """Every API route of the app with the (object, action) its `authorize*` dependency checks."""
    specs: list[RouteSpec] = []
    for ctx in iter_route_contexts(app.routes):
        route = ctx.original_route
        if not isinstance(route, APIRoute):
            continue  # the OpenAPI document and its viewers
        guards: list[tuple[str, str, str]] = []
        principal_needed = False
        for call in _dependency_calls(route):
            qualname = getattr(call, "__qualname__", "")
            if qualname.startswith(("authorize.<locals>", "authorize_provider.<locals>")):
                bound = inspect.getclosurevars(call).nonlocals
                kind = "commune" if qualname.startswith("authorize.") else "provider"
                guards.append((kind, bound["obj"], bound["act"]))
            if qualname in ("require_principal", "optional_principal"):
                principal_needed = True
        assert len(guards) <= 1, f"{ctx.path} has several authorize dependencies: {guards}"
        for method in sorted(ctx.methods or ()):
            if guards:
                kind, obj, act = guards[0]
                specs.append(RouteSpec(method, str(ctx.path), kind, obj, act))
            else:
                assert not principal_needed, f"{method} {ctx.path} authenticates without authorize()"
                specs.append(RouteSpec(method, str(ctx.path), "public"))
    return specs


def _route_table() -> list[RouteSpec]:
    """Built at collection time, in test mode so `create_app()` starts no LISTEN thread yet."""
    previous = os.environ.get("ENVIRONMENT")
    os.environ["ENVIRONMENT"] = "test"
    get_settings.cache_clear()
    try:
        return discover_routes(create_app())
    finally:
        if previous is None:
            os.environ.pop("ENVIRONMENT", None)
        else:
            os.environ["ENVIRONMENT"] = previous
        get_settings.cache_clear()


ROUTES = _route_table()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """`commune_route`, `provider_route`, `guarded_route` and `role` parameters, generated from the app."""
    kinds = {
        "commune_route": ("commune",),
        "provider_route": ("provider",),
        "guarded_route": ("commune", "provider"),
    }
    for name, wanted in kinds.items():
        if name in metafunc.fixturenames:
            chosen = [r for r in ROUTES if r.kind in wanted]
            metafunc.parametrize(name, chosen, ids=[r.id for r in chosen])
    if "role" in metafunc.fixturenames:
        metafunc.parametrize("role", ALL_ROLES)


# -- actors -------------------------------------------------------------------------------------------
@dataclass
class Actor:
    role: str
    commune: TenantInfo | None  # None: provider staff
    account_id: uuid.UUID
    username: str
    token: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def make_commune_user(tenant: TenantInfo, role: str, *, password: str | None = None) -> Actor:
    username = unique(f"api.{role.replace('_', '')}.{tenant.commune_code}")
    account = create_account(
        app_engine(),
        realm=COMMUNE_REALM,
        username=username,
        password=password,
        commune_code=tenant.commune_code,
        display_name=f"{role} {tenant.name}",
    )
    if role != RESIDENT:  # every member is implicitly a resident
        authz.assign_role(app_engine(), SEEDER, tenant.commune_code, f"user:{account}", role)
    return Actor(role, tenant, account, username, issue_token_for(account))


def make_provider_user(role: str) -> Actor:
    username = unique(f"api.{role.replace('_', '')}")
    account = create_account(app_engine(), realm=PROVIDER_REALM, username=username, realm_roles=[role])
    return Actor(role, None, account, username, issue_token_for(account))


# -- database probes ----------------------------------------------------------------------------------
def scalar(sql: str, **params: Any) -> Any:
    with owner_engine().connect() as conn:
        return conn.execute(text(sql), params).scalar()


def audit_count(tenant: TenantInfo) -> int:
    return int(scalar(f"SELECT count(*) FROM {quote_ident(tenant.schema_name)}.audit_log"))


def audit_rows(tenant: TenantInfo, after_id: int = 0) -> list[dict[str, Any]]:
    with owner_engine().connect() as conn:
        rows = conn.execute(
            text(
                f"SELECT id, actor, actor_kind, action, object_type, object_id, before, after, request_id "
                f"FROM {quote_ident(tenant.schema_name)}.audit_log WHERE id > :i ORDER BY id"
            ),
            {"i": after_id},
        )
        return [dict(r._mapping) for r in rows]


def max_audit_id(tenant: TenantInfo) -> int:
    return int(scalar(f"SELECT coalesce(max(id), 0) FROM {quote_ident(tenant.schema_name)}.audit_log"))


def village_count(tenant: TenantInfo) -> int:
    with tenant_transaction(tenant) as db:
        return int(db.scalar(select(func.count()).select_from(Village)) or 0)


def add_village(tenant: TenantInfo, name: str | None = None) -> Village:
    with tenant_transaction(tenant) as db:
        village = Village(code=unique("V"), name=name or unique("Thôn"), kind="thon")
        db.add(village)
        db.flush()
        return village


def commune_state(tenant: TenantInfo) -> dict[str, Any]:
    """What a request could have written in a commune: its data, its policy lines, its accounts."""
    dom = str(tenant.commune_code)
    schema = quote_ident(tenant.schema_name)
    return {
        "audit": audit_count(tenant),
        "villages": scalar(f"SELECT md5(coalesce(string_agg(v::text, ',' ORDER BY id), '')) FROM {schema}.villages v"),
        "rules": scalar(
            "SELECT md5(coalesce(string_agg(concat_ws(',', ptype, v0, v1, v2, v3), ';' "
            "ORDER BY ptype, v0, v1, v2, v3), '')) FROM control.casbin_rule WHERE v1 = :d OR v2 = :d",
            d=dom,
        ),
        "accounts": scalar(
            "SELECT md5(coalesce(string_agg(concat_ws(',', id, username, enabled, password_hash), ';' "
            "ORDER BY id), '')) FROM control.identity_accounts WHERE commune_code = :c",
            c=tenant.commune_code,
        ),
        "tenant": scalar(
            "SELECT concat_ws(',', slug, status, suspended_reason, updated_at) FROM control.tenants WHERE id = :i",
            i=tenant.id,
        ),
    }


def unused_commune_codes(n: int, *, avoid_provinces: tuple[int, ...] = (44, 38)) -> list[int]:
    """Official communes not yet onboarded here, outside the provinces the other suites use."""
    onboarded = {int(c) for c in _onboarded_codes()}
    picked = [
        c.code
        for c in all_communes()
        if c.province_code not in avoid_provinces and c.code not in onboarded and c.code not in _handed_out
    ][:n]
    _handed_out.update(picked)
    return picked


_handed_out: set[int] = set()


def _onboarded_codes() -> list[int]:
    with owner_engine().connect() as conn:
        return list(conn.execute(text("SELECT commune_code FROM control.tenants")).scalars())


def wait_for(probe: Callable[[], bool], timeout_s: float = 10.0) -> bool:
    """Poll a condition; the bound only keeps a broken listener from hanging the suite."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if probe():
            return True
        time.sleep(0.02)
    return probe()


def error_code(response: httpx.Response) -> str | None:
    try:
        body = response.json()
    except ValueError:
        return None
    error = body.get("error") if isinstance(body, dict) else None
    return error.get("code") if isinstance(error, dict) else None


# -- a plausible request for every route ------------------------------------------------------------
@dataclass(frozen=True)
class Req:
    method: str
    path: str
    params: dict[str, str] | None = None
    json: Any = None
    expect: int = 200  # the status an allowed caller gets
    data: dict[str, str] | None = None
    files: Any = None  # multipart parts, as httpx takes them
    # (role, status) where an allowed role gets something else than `expect`: a village head acting
    # outside their village(s) (403 `outside_village_scope`), or reading another village's register (404).
    expect_for: tuple[tuple[str, int], ...] = ()

    def expected(self, role: str) -> int:
        return dict(self.expect_for).get(role, self.expect)


NO_SUCH_COMMUNE = "khong-co-xa-nay"
UNKNOWN_COMMUNE_CODE = 99_999_999


def fresh_role(tenant: TenantInfo) -> str:
    name = unique("vai_tro").replace("-", "_")
    authz.create_role(app_engine(), SEEDER, tenant.commune_code, name, [("villages", "read")])
    return name


def fresh_member(tenant: TenantInfo) -> uuid.UUID:
    return create_account(
        app_engine(), realm=COMMUNE_REALM, username=unique("api.member"), commune_code=tenant.commune_code
    )


def inbox_item_of_someone_else(tenant: TenantInfo) -> int:
    with tenant_transaction(tenant) as db:
        notify(db, ["nobody-in-this-test"], Message(kind="test", title="Thông báo"))
        return int(db.scalar(select(func.max(InboxItem.id))) or 0)


# -- fees, payments (smartcommune.platform.fees / .payments) ----------------------------------------------
_households = itertools.count(900_000)


def economy_fee_type(tenant: TenantInfo) -> int:
    """A fee type and the commune's receiving account, made once per commune (as an official would)."""
    from smartcommune.platform.fees import service as fees
    from smartcommune.platform.fees.models import FeeType
    from smartcommune.platform.fees.schemas import BankAccountIn

    with tenant_transaction(tenant) as db:
        ft = db.scalar(select(FeeType).where(FeeType.code == "api-test-fee"))
        if ft is None:
            ft = FeeType(code="api-test-fee", name="Phí kiểm thử", category="other", default_amount_vnd=50_000)
            db.add(ft)
            db.flush()
            account = BankAccountIn(bank_bin="970436", account_number="0011001234567", account_name="UBND XA")
            fees.set_bank_account(db, account, actor="api-tests", actor_kind="provider")
        return ft.id


def economy_invoice(tenant: TenantInfo) -> int:
    from smartcommune.platform.fees import service as fees
    from smartcommune.platform.fees.schemas import InvoiceIn

    ft = economy_fee_type(tenant)
    with tenant_transaction(tenant) as db:
        data = InvoiceIn(household_id=next(_households), fee_type_id=ft, period="2026-11")
        return fees.issue_invoice(db, tenant, data, actor="api-tests", actor_kind="provider").id


def economy_unmatched_payment(tenant: TenantInfo) -> int:
    from smartcommune.platform.payments.models import Payment

    with tenant_transaction(tenant) as db:
        row = Payment(
            source="sepay", event_id=unique("ev"), amount_vnd=1000, memo="?", match="unmatched", needs_review=True
        )
        db.add(row)
        db.flush()
        return row.id


def economy_request(spec: RouteSpec, tenant: TenantInfo) -> Req | None:
    m, p = spec.method, spec.path
    key = (m, p)
    if key == ("POST", "/api/v1/fees/types"):
        return Req(m, p, json={"code": unique("phi"), "name": "Tiền nước", "category": "water"}, expect=201)
    if key == ("PATCH", "/api/v1/fees/types/{fee_type_id}"):
        return Req(m, p.format(fee_type_id=economy_fee_type(tenant)), json={"due_days": 20})
    if p == "/api/v1/fees/bank-account":
        economy_fee_type(tenant)
        body = {"bank_bin": "970436", "account_number": "0011001234567", "account_name": "UBND XA"}
        return Req(m, p, json=body if m == "PUT" else None)
    if key == ("POST", "/api/v1/fees/invoices"):
        body = {"household_id": next(_households), "fee_type_id": economy_fee_type(tenant), "period": "2026-11"}
        return Req(m, p, json=body, expect=201)
    if key == ("POST", "/api/v1/fees/invoices/bulk"):
        lines = [{"household_id": next(_households)} for _ in range(3)]
        return Req(m, p, json={"fee_type_id": economy_fee_type(tenant), "period": "2026-11", "lines": lines})
    if p.startswith("/api/v1/fees/invoices/{invoice_id}"):
        return Req(m, p.format(invoice_id=economy_invoice(tenant)))
    if key == ("POST", "/api/v1/fees/reminders"):
        return Req(m, p, json={})
    if p == "/api/v1/fees/households/{household_id}/ledger":
        return Req(m, p.format(household_id=people_household(tenant)))
    if p == "/api/v1/me/invoices/{invoice_id}/vietqr":
        # Somebody else's invoice: every caller gets 404.
        return Req(m, p.format(invoice_id=economy_invoice(tenant)), expect=404)
    if p == "/api/v1/payments/{payment_id}/resolve":
        path = p.format(payment_id=economy_unmatched_payment(tenant))
        return Req(m, path, json={"action": "refund", "note": "Hoàn tiền cho người chuyển nhầm"})
    return None


# -- production and insight (smartcommune.platform.production / .insight) ----------------------------------
def production_lot(tenant: TenantInfo) -> dict[str, int]:
    """A farm with a harvested lot, as an official would record it."""
    from decimal import Decimal

    from smartcommune.platform.production import service as production
    from smartcommune.platform.production.schemas import FarmIn, LogIn

    with tenant_transaction(tenant) as db:
        farm = production.create_farm(
            db,
            FarmIn(name=unique("Vườn ớt"), producer_name="Hộ sản xuất", commodity="Ớt"),
            actor="api-tests",
            actor_kind="provider",
        )
        harvest = LogIn(log_type="harvest", quantity=Decimal(50), unit="KGM")
        _, lot = production.add_log(db, tenant, farm.id, harvest, actor="api-tests", actor_kind="provider")
        assert lot is not None
        return {"farm": farm.id, "lot": lot.id}


def production_request(spec: RouteSpec, tenant: TenantInfo) -> Req | None:
    m, p = spec.method, spec.path
    key = (m, p)
    if key == ("POST", "/api/v1/production/farms"):
        body = {"name": unique("Trại gà"), "producer_name": "HTX Cam Lộ", "kind": "livestock", "commodity": "Gà Cỏ"}
        return Req(m, p, json=body, expect=201)
    if p.startswith("/api/v1/production/farms/{farm_id}") or p.startswith("/api/v1/production/lots/{lot_id}"):
        ids = production_lot(tenant)
        path = p.format(farm_id=ids["farm"], lot_id=ids["lot"], fmt="svg")
        if p.endswith("/plots"):
            return Req(m, path, json={"name": "Thửa 2"}, expect=201)
        if p.endswith("/certifications"):
            body = {"scheme": "vietgap", "certificate_no": "VG-1", "valid_from": "2026-01-01", "valid_to": "2028-01-01"}
            return Req(m, path, json=body, expect=201)
        if p.endswith("/logs") and m == "POST":
            return Req(m, path, json={"log_type": "observation", "notes": "Cây ra hoa"}, expect=201)
        return Req(m, path)
    if key == ("PUT", "/api/v1/insight/criteria"):
        body = [{"code": "address_coded", "name_vi": "Địa chỉ số", "name_en": "Coded addresses", "target_percent": 100}]
        return Req(m, p, json=body, expect=204)
    if key == ("POST", "/api/v1/insight/criteria/snapshots"):
        return Req(m, p, json={})
    if p == "/api/v1/insight/map/{layer}":
        return Req(m, p.format(layer="farms"))
    if key == ("POST", "/api/v1/listings"):
        body = {
            "kind": "tourism",
            "category": "homestay",
            "title": unique("Homestay"),
            "price_vnd": 450_000,
            "price_unit": "/đêm",
            "contact_name": "Chị Hoa",
            "contact_phone": "0912345678",
        }
        return Req(m, p, json=body, expect=201)
    if p.startswith("/api/v1/listings/{listing_id}"):
        path = p.format(listing_id=listings_listing(tenant))
        if m == "PATCH":
            return Req(m, path, json={"price_vnd": 500_000})
        if p.endswith("/photos"):
            return Req(m, path, files=[("photos", ("anh.png", tiny_png(), "image/png"))])
        return Req(m, path)
    return None


def listings_listing(tenant: TenantInfo) -> int:
    from smartcommune.platform.listings import service as listings
    from smartcommune.platform.listings.schemas import ListingIn

    with tenant_transaction(tenant) as db:
        data = ListingIn(
            kind="service",
            category="phun_thuoc_drone",
            title=unique("Phun thuốc bằng drone"),
            price_vnd=150_000,
            price_unit="/sào",
            contact_name="HTX Cam Lộ",
            contact_phone="0912345678",
        )
        return listings.create(db, data, actor="api-tests", actor_kind="provider").id


# -- field reports, Open311 keys, procedures, directory, library (issue 4, part B) -----------------------
def tiny_png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


TINY_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
_service_seeds: dict[tuple[int, str], int] = {}


def report_category(tenant: TenantInfo) -> int:
    from smartcommune.platform.reports.models import ReportCategory

    key = (tenant.commune_code, "report_category")
    if key not in _service_seeds:
        with tenant_transaction(tenant) as db:
            row = ReportCategory(
                code=unique("duong"),
                name="Đường hỏng",
                description="",
                sla_hours=72,
                responsible_role="commune_official",
                group_name="Hạ tầng",
                active=True,
            )
            db.add(row)
            db.flush()
            _service_seeds[key] = row.id
    return _service_seeds[key]


def someone_elses_report(tenant: TenantInfo) -> tuple[int, int]:
    """A report (with one photo) by a resident who is none of the test actors: (report id, photo id)."""
    from smartcommune.platform.reports import repository, service
    from smartcommune.platform.reports.schemas import ReportForm

    form = ReportForm(category_id=report_category(tenant), description="Ổ gà trước nhà văn hoá", lat=16.8, lng=107.0)
    who = service.Viewer(subject=unique("nguoi-dan"), actor="seed", actor_kind="commune")
    with tenant_transaction(tenant) as db:
        report = service.submit(db, tenant, form, [("o-ga.png", tiny_png())], who)
        return report.id, repository.photos_of(db, [report.id])[report.id][0].id


def open311_key(tenant: TenantInfo) -> int:
    from smartcommune.platform.open311 import keys

    with tenant_transaction(tenant) as db:
        return keys.issue(db, unique("ung-dung"), actor="seed", actor_kind="provider")[0].id


def procedure(tenant: TenantInfo) -> int:
    from smartcommune.platform.procedures.models import Procedure

    key = (tenant.commune_code, "procedure")
    if key not in _service_seeds:
        with tenant_transaction(tenant) as db:
            row = Procedure(
                code=unique("khai-sinh"),
                name="Đăng ký khai sinh",
                field="Hộ tịch",
                required_documents=[],
                fee_vnd=0,
                fee_note="",
                processing_days=3,
                legal_basis="",
                mode="online",
                active=True,
            )
            db.add(row)
            db.flush()
            _service_seeds[key] = row.id
    return _service_seeds[key]


def someone_elses_application(tenant: TenantInfo) -> tuple[int, int]:
    """An application (with one PDF attached) by somebody else: (application id, attachment id)."""
    from smartcommune.platform.procedures import service
    from smartcommune.platform.procedures.models import ApplicationFile
    from smartcommune.platform.procedures.schemas import ApplicationForm

    form = ApplicationForm(procedure_id=procedure(tenant), applicant_name="Nguyễn Văn A")
    who = service.Who(unique("nguoi-dan"), "seed", "commune")
    with tenant_transaction(tenant) as db:
        app = service.apply(db, tenant, form, [("to-khai.pdf", TINY_PDF)], who)
        attachment = db.scalar(select(ApplicationFile.id).where(ApplicationFile.application_id == app.id))
        return app.id, int(attachment or 0)


def contact(tenant: TenantInfo) -> int:
    from smartcommune.platform.directory.models import Contact

    with tenant_transaction(tenant) as db:
        row = Contact(kind="hotline", name="Trực ban", position="", department="", hours="", sort_order=0)
        db.add(row)
        db.flush()
        return row.id


def library_category(tenant: TenantInfo) -> int:
    from smartcommune.platform.directory.models import LibraryCategory

    key = (tenant.commune_code, "library_category")
    if key not in _service_seeds:
        with tenant_transaction(tenant) as db:
            row = LibraryCategory(code=unique("van-ban"), name="Văn bản")
            db.add(row)
            db.flush()
            _service_seeds[key] = row.id
    return _service_seeds[key]


def library_document(tenant: TenantInfo) -> int:
    from smartcommune.platform.directory import service
    from smartcommune.platform.directory.schemas import DocumentForm

    form = DocumentForm(category_id=library_category(tenant), title="Quyết định số 12")
    with tenant_transaction(tenant) as db:
        return service.add_document(db, tenant, form, "qd.pdf", TINY_PDF, actor="seed", actor_kind="provider").id


def commune_services_request(spec: RouteSpec, tenant: TenantInfo) -> Req | None:
    m, p = spec.method, spec.path
    key = (m, p)
    if key == ("POST", "/api/v1/report-categories"):
        body = {"code": unique("cay-do"), "name": "Cây đổ", "sla_hours": 24}
        return Req(m, p, json=body, expect=201)
    if key == ("PATCH", "/api/v1/report-categories/{category_id}"):
        return Req(m, p.format(category_id=report_category(tenant)), json={"sla_hours": 72})
    if key == ("POST", "/api/v1/reports"):
        form = {
            "category_id": str(report_category(tenant)),
            "description": "Đèn đường hỏng",
            "lat": "16.8",
            "lng": "107.0",
        }
        return Req(m, p, data=form, expect=201)
    if p.startswith("/api/v1/reports/{report_id}"):
        # Somebody else's report: every caller gets 404 on the reporter's own routes.
        report_id, photo_id = someone_elses_report(tenant)
        body = {"body": "Xin cảm ơn"} if p.endswith("/comments") else {"rating": 5} if p.endswith("/rating") else None
        return Req(m, p.format(report_id=report_id, photo_id=photo_id), json=body, expect=404)
    if p.startswith("/api/v1/triage/reports/{report_id}"):
        report_id, photo_id = someone_elses_report(tenant)
        path = p.format(report_id=report_id, photo_id=photo_id)
        # The assignee must be one of the commune's staff: an official of its own that no other route disables.
        official = str(make_commune_user(tenant, COMMUNE_OFFICIAL).account_id)
        bodies: dict[str, tuple[Any, int]] = {
            "/transition": ({"to": "accepted", "note": "Đã tiếp nhận"}, 200),
            "/replies": ({"body": "Xã đã cử người kiểm tra"}, 201),
            "/notes": ({"body": "Ghi chú nội bộ"}, 201),
            "/assign": ({"assignee": official}, 200),
            "/moderation": ({"hidden": True, "reason": "Nội dung trùng lặp"}, 200),
        }
        for suffix, (body, status) in bodies.items():
            if m == "POST" and p.endswith(suffix):
                return Req(m, path, json=body, expect=status)
        return Req(m, path)
    if key == ("POST", "/api/v1/open311/keys"):
        return Req(m, p, json={"name": "Ứng dụng bản đồ"}, expect=201)
    if key == ("DELETE", "/api/v1/open311/keys/{key_id}"):
        return Req(m, p.format(key_id=open311_key(tenant)), expect=204)
    if key == ("POST", "/api/v1/procedures"):
        body = {"code": unique("tt"), "name": "Chứng thực bản sao", "field": "Chứng thực", "processing_days": 1}
        return Req(m, p, json=body, expect=201)
    if key == ("PATCH", "/api/v1/procedures/{procedure_id}"):
        return Req(m, p.format(procedure_id=procedure(tenant)), json={"fee_vnd": 2000})
    if key == ("POST", "/api/v1/applications"):
        return Req(m, p, data={"procedure_id": str(procedure(tenant)), "applicant_name": "Trần Thị B"}, expect=201)
    if p.startswith("/api/v1/applications/{application_id}"):
        app_id, attachment_id = someone_elses_application(tenant)
        path = p.format(application_id=app_id, attachment_id=attachment_id)
        return Req(m, path, data={"note": "bổ sung"} if m == "POST" else None, expect=404)
    if key == ("POST", "/api/v1/one-stop/applications"):  # registered at the counter (issue 6)
        return Req(m, p, data={"procedure_id": str(procedure(tenant)), "applicant_name": "Trần Thị B"}, expect=201)
    if p.startswith("/api/v1/one-stop/applications/{application_id}"):
        app_id, attachment_id = someone_elses_application(tenant)
        path = p.format(application_id=app_id, attachment_id=attachment_id)
        return Req(m, path, json={"to": "processing"} if m == "POST" else None)
    if key == ("POST", "/api/v1/contacts"):
        return Req(m, p, json={"kind": "hotline", "name": "Công an xã", "phone": "0233 3861 113"}, expect=201)
    if p == "/api/v1/contacts/{contact_id}":
        path = p.format(contact_id=contact(tenant))
        return Req(m, path, json={"hours": "24/7"} if m == "PATCH" else None, expect=204 if m == "DELETE" else 200)
    if key == ("POST", "/api/v1/library/categories"):
        return Req(m, p, json={"code": unique("qd"), "name": "Quyết định"}, expect=201)
    if key == ("POST", "/api/v1/library"):
        data = {"category_id": str(library_category(tenant)), "title": "Kế hoạch phòng chống lụt bão"}
        return Req(m, p, data=data, files={"file": ("ke-hoach.pdf", TINY_PDF, "application/pdf")}, expect=201)
    if key == ("DELETE", "/api/v1/library/{document_id}"):
        return Req(m, p.format(document_id=library_document(tenant)), expect=204)
    return None


# -- residents, announcements, surveys (smartcommune.platform.residents / .announcements / .surveys) ----
_PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def people_village(tenant: TenantInfo) -> int:
    with tenant_transaction(tenant) as db:
        village_id = db.scalar(select(Village.id).order_by(Village.id).limit(1))
    return int(village_id) if village_id is not None else add_village(tenant).id


def people_household(tenant: TenantInfo) -> int:
    from smartcommune.platform.residents import service as residents
    from smartcommune.platform.residents.schemas import HouseholdIn

    with tenant_transaction(tenant) as db:
        data = HouseholdIn(village_id=people_village(tenant), house_number=unique("H"), latitude=16.8, longitude=107.0)
        return residents.create_household(db, data, actor="api-tests", actor_kind="provider").id


def people_resident(tenant: TenantInfo, *, pending: bool = False, archived: bool = False) -> int:
    from smartcommune.platform.residents.models import Resident

    with tenant_transaction(tenant) as db:
        row = Resident(
            full_name=unique("Nguyễn Văn"),
            village_id=people_village(tenant),
            status="pending" if pending else "verified",
            source="self" if pending else "official",
            account_subject=str(uuid.uuid4()) if pending else None,
            groups=[],
            archived_at=func.now() if archived else None,
            archived_by="api-tests" if archived else None,
        )
        db.add(row)
        db.flush()
        return row.id


def people_archived_household(tenant: TenantInfo) -> int:
    from smartcommune.platform.residents.models import Household

    household_id = people_household(tenant)
    with tenant_transaction(tenant) as db:
        row = db.get(Household, household_id)
        assert row is not None
        row.archived_at, row.archived_by = func.now(), "api-tests"
    return household_id


def village_head_member(tenant: TenantInfo) -> uuid.UUID:
    member = fresh_member(tenant)
    authz.assign_role(app_engine(), SEEDER, tenant.commune_code, f"user:{member}", VILLAGE_HEAD)
    return member


def people_announcement(
    tenant: TenantInfo, *, with_file: bool = False, scheduled: bool = False
) -> tuple[int, str | None]:
    from smartcommune.platform.announcements import service as announcements
    from smartcommune.platform.announcements.schemas import AnnouncementIn
    from smartcommune.platform.files.service import DOCUMENT, store_upload

    with tenant_transaction(tenant) as db:
        file_id = None
        if with_file:
            f = store_upload(
                db, tenant, filename="lich.pdf", data=_PDF, purpose="announcement", actor="api-tests", rules=DOCUMENT
            )
            file_id = f.id
        data = AnnouncementIn(
            title=unique("Lịch tiêm phòng"),
            body="Tiêm phòng cho gia súc tại nhà văn hóa thôn.",
            channels=[],
            attachment_ids=[file_id] if file_id else [],
            publish_at=datetime.now(UTC) + timedelta(days=2) if scheduled else None,
        )
        a = announcements.create(db, tenant, data, actor="api-tests", actor_kind="provider")
        return a.id, str(file_id) if file_id else None


def people_survey(tenant: TenantInfo) -> tuple[int, int]:
    from datetime import UTC, datetime, timedelta

    from smartcommune.platform.surveys import service as surveys
    from smartcommune.platform.surveys.schemas import QuestionIn, SurveyIn

    with tenant_transaction(tenant) as db:
        data = SurveyIn(
            title=unique("Khảo sát"),
            closes_at=datetime.now(UTC) + timedelta(days=7),
            questions=[QuestionIn(kind="rating", prompt="Mức hài lòng?", required=True)],
        )
        survey = surveys.create(db, data, actor="api-tests", actor_kind="provider")
        question = surveys.to_out(db, [survey], subject="api-tests", manager=True)[0].questions[0].id
        return survey.id, question


def people_request(spec: RouteSpec, tenant: TenantInfo) -> Req | None:
    m, p = spec.method, spec.path
    key = (m, p)
    other_village = ((VILLAGE_HEAD, 404),)  # a village head linked to no village reads no one's record
    outside_scope = ((VILLAGE_HEAD, 403),)  # … and may not announce to (or manage) the whole commune
    if key == ("POST", "/api/v1/households/{household_id}/restore"):
        return Req(m, p.format(household_id=people_archived_household(tenant)))
    if key == ("POST", "/api/v1/residents/{resident_id}/restore"):
        return Req(m, p.format(resident_id=people_resident(tenant, archived=True)))
    if key == ("PUT", "/api/v1/village-heads/{user_id}"):
        scope: dict[str, Any] = {"village_ids": [people_village(tenant)]}
        return Req(m, p.format(user_id=village_head_member(tenant)), json=scope)
    if key == ("PATCH", "/api/v1/announcements/{announcement_id}"):
        announcement_id, _ = people_announcement(tenant, scheduled=True)
        edit: dict[str, Any] = {"title": unique("Lịch họp"), "priority": "urgent"}
        return Req(m, p.format(announcement_id=announcement_id), json=edit, expect_for=outside_scope)
    if key == ("POST", "/api/v1/households"):
        body = {"village_id": people_village(tenant), "house_number": unique("H"), "latitude": 16.8, "longitude": 107.1}
        return Req(m, p, json=body, expect=201)
    if key == ("POST", "/api/v1/households/import"):
        with tenant_transaction(tenant) as db:
            code = db.scalar(select(Village.code).order_by(Village.id).limit(1))
        csv_text = f"village_code,house_number\n{code},{unique('H')}\n"
        return Req(m, p, files={"file": ("ho.csv", csv_text.encode(), "text/csv")})
    if p.startswith("/api/v1/households/{household_id}"):
        json = {"head_name": "Trần Thị B"} if m == "PATCH" else None
        expect_for = other_village if m == "GET" else ()
        return Req(m, p.format(household_id=people_household(tenant)), json=json, expect_for=expect_for)
    if key == ("POST", "/api/v1/residents"):
        return Req(m, p, json={"full_name": unique("Lê Văn"), "village_id": people_village(tenant)}, expect=201)
    if key == ("POST", "/api/v1/residents/import"):
        csv_text = f"full_name,groups\n{unique('Phạm Thị')},nong_dan\n"
        return Req(m, p, files={"file": ("dan.csv", csv_text.encode(), "text/csv")})
    if p in ("/api/v1/residents/{resident_id}/verify", "/api/v1/residents/{resident_id}/reject"):
        return Req(m, p.format(resident_id=people_resident(tenant, pending=True)), json={"note": "Đã đối chiếu"})
    if p == "/api/v1/residents/{resident_id}":
        json = {"groups": ["phu_huynh"]} if m == "PATCH" else None
        expect_for = other_village if m == "GET" else ()
        return Req(m, p.format(resident_id=people_resident(tenant)), json=json, expect_for=expect_for)
    if key == ("POST", "/api/v1/registration"):
        return Req(m, p, json={"full_name": "Người Đăng Ký", "village_id": people_village(tenant)}, expect=201)
    if key == ("POST", "/api/v1/announcements"):
        body = {"title": unique("Thông báo"), "body": "Họp thôn lúc 19 giờ.", "channels": ["push", "sms"]}
        return Req(m, p, json=body, expect=201, expect_for=outside_scope)
    if key == ("POST", "/api/v1/announcements/attachments"):
        return Req(m, p, files={"file": ("lich.pdf", _PDF, "application/pdf")}, expect=201)
    if p.startswith("/api/v1/announcements/{announcement_id}"):
        announcement_id, file_id = people_announcement(tenant, with_file="{file_id}" in p)
        managing = m != "GET" or p.endswith("/deliveries")
        path = p.format(announcement_id=announcement_id, file_id=file_id)
        return Req(m, path, expect_for=outside_scope if managing else ())
    if key == ("POST", "/api/v1/push-subscriptions"):
        body = {"endpoint": f"https://push.example.vn/{unique('s')}", "keys": {"p256dh": "BNc", "auth": "q1w"}}
        return Req(m, p, json=body, expect=204)
    if key == ("DELETE", "/api/v1/push-subscriptions"):
        return Req(m, p, params={"endpoint": f"https://push.example.vn/{unique('gone')}"}, expect=204)
    if key == ("POST", "/api/v1/surveys"):
        body = {
            "title": unique("Khảo sát"),
            "closes_at": "2099-01-01T00:00:00+07:00",
            "questions": [{"kind": "short_text", "prompt": "Góp ý?"}],
        }
        return Req(m, p, json=body, expect=201)
    if key == ("POST", "/api/v1/surveys/{survey_id}/responses"):
        survey_id, question_id = people_survey(tenant)
        return Req(m, p.format(survey_id=survey_id), json={"answers": {str(question_id): 4}}, expect=201)
    if p.startswith("/api/v1/surveys/{survey_id}"):
        return Req(m, p.format(survey_id=people_survey(tenant)[0]))
    return None


def request_for(spec: RouteSpec, tenant: TenantInfo, *, provider_key: str = NO_SUCH_COMMUNE) -> Req:
    """A well-formed request for `spec` that names objects of `tenant`, freshly made where the call
    consumes them (a role to delete, an assignment to revoke), with the status an allowed caller gets.

    Provider routes name `provider_key` (by default a commune that does not exist, so an allowed call
    changes nothing) and an unknown commune code for creation.
    """
    m, p = spec.method, spec.path
    key = (m, p)
    if key == ("POST", "/api/v1/villages"):
        return Req(m, p, json={"code": unique("T"), "name": unique("Thôn")}, expect=201)
    if p == "/api/v1/villages/{village_id}":
        path = p.format(village_id=add_village(tenant).id)
        return Req(m, path, json={"population": 1234} if m == "PATCH" else None, expect=200)
    if key == ("POST", "/api/v1/roles"):
        body = {"name": unique("to_truong").replace("-", "_"), "permissions": [{"obj": "villages", "act": "read"}]}
        return Req(m, p, json=body, expect=201)
    if key == ("DELETE", "/api/v1/roles/{name}"):
        return Req(m, p.format(name=fresh_role(tenant)), expect=204)
    if key == ("POST", "/api/v1/role-assignments"):
        return Req(m, p, json={"user_id": str(fresh_member(tenant)), "role": VILLAGE_HEAD}, expect=201)
    if key == ("DELETE", "/api/v1/role-assignments"):
        member = fresh_member(tenant)
        authz.assign_role(app_engine(), SEEDER, tenant.commune_code, f"user:{member}", VILLAGE_HEAD)
        return Req(m, p, params={"user_id": str(member), "role": VILLAGE_HEAD}, expect=204)
    if key == ("POST", "/api/v1/users"):
        body = {"username": unique("can.bo"), "password": PASSWORD, "role": COMMUNE_OFFICIAL}
        return Req(m, p, json=body, expect=201)
    if key == ("POST", "/api/v1/inbox/{item_id}/read"):
        # Somebody else's message: allowed callers get 404 (not theirs), never a receipt on it.
        return Req(m, p.format(item_id=inbox_item_of_someone_else(tenant)), expect=404)
    if key == ("PUT", "/api/v1/commune/settings"):
        return Req(
            m, p, json={"display_name": unique("UBND xã"), "primary_color": "#0b6b3a", "office_hours": "7:30–17:00"}
        )
    if key == ("POST", "/api/v1/commune/settings/logo"):
        return Req(m, p, files={"file": ("logo.png", tiny_png(), "image/png")})
    if key == ("DELETE", "/api/v1/commune/settings/logo"):
        return Req(m, p)
    if key == ("PUT", "/api/v1/commune/modules/{code}"):
        return Req(m, p.format(code="announcements"), json={"enabled": True})  # on already: changes nothing
    economy = economy_request(spec, tenant)
    if economy is not None:
        return economy
    production = production_request(spec, tenant)
    if production is not None:
        return production
    people = people_request(spec, tenant)
    if people is not None:
        return people
    services = commune_services_request(spec, tenant)
    if services is not None:
        return services
    if p.startswith(OPERATIONS_PREFIXES):
        return operations_request(spec, tenant)
    if spec.kind == "commune" and m == "GET" and "{" not in p:
        return Req(m, p, expect=200)
    # provider routes
    if key == ("POST", "/api/provider/v1/communes"):
        return Req(m, p, json={"commune_code": UNKNOWN_COMMUNE_CODE}, expect=422)
    if p.startswith("/api/provider/v1/communes/{key}"):
        path = p.format(key=provider_key)
        json = {"reason": "kiểm thử"} if p.endswith("/suspend") else None
        exists = provider_key != NO_SUCH_COMMUNE
        ok = 200 if m in ("GET", "POST") else 204
        return Req(
            m,
            path,
            json=json,
            params={"confirm": provider_key} if m == "DELETE" else None,
            expect=ok if exists else 404,
        )
    # billing (smartcommune.provisioning.billing): name no real commune, so an allowed call reaches no Stripe
    if p.startswith("/api/provider/v1/billing/communes/{key}"):
        body = {"plan_code": "khong-co-goi"} if m == "POST" else None
        return Req(m, p.format(key=provider_key), json=body, expect=404)
    if key == ("PUT", "/api/provider/v1/billing/plans"):
        body = {"code": "goi-kiem-thu", "name": "Gói kiểm thử", "base_price_id": "price_Test"}
        return Req(m, p, json=body)
    if key == ("POST", "/api/provider/v1/billing/usage"):
        return Req(m, p, json={"day": "2026-11-20", "commune_codes": [UNKNOWN_COMMUNE_CODE]})
    if key == ("POST", "/api/provider/v1/billing/dunning"):
        return Req(m, p)
    # provisioning (smartcommune.provisioning.runs): an unknown commune, province or run, so nothing is created
    if key == ("POST", "/api/provider/v1/provisioning/communes"):
        return Req(m, p, json={"commune_code": UNKNOWN_COMMUNE_CODE, "template": "base"}, expect=422)
    if key == ("POST", "/api/provider/v1/provisioning/rollouts"):
        return Req(m, p, json={"province_code": 999, "template": "base"}, expect=422)
    if p.startswith("/api/provider/v1/provisioning/") and "{" in p:
        path = p.replace("{run_id}", str(uuid.uuid4())).replace("{rollout_id}", str(uuid.uuid4()))
        return Req(m, path, expect=404)
    if p == "/api/provider/v1/insight/provinces/{province_code}/criteria/history":
        return Req(m, p.format(province_code=99), params={"since": "2026-01"}, expect=200)
    if p == "/api/provider/v1/insight/provinces/{province_code}/criteria":
        return Req(m, p.format(province_code=99), expect=200)  # a province with no commune onboarded
    # fleet health (smartcommune.provisioning.fleet): measuring a commune that does not exist is a 404
    if p.startswith("/api/provider/v1/site-network-requests/{request_id}/"):
        return Req(m, p.format(request_id=9_000_000_000), json={"note": "kiểm thử"}, expect=404)
    if key == ("POST", "/api/provider/v1/fleet/health/{key}/refresh"):
        exists = provider_key != NO_SUCH_COMMUNE
        return Req(m, p.format(key=provider_key), expect=200 if exists else 404)
    if spec.kind == "provider" and m == "GET":
        return Req(m, p, expect=200)
    # public routes
    if p.startswith("/auth/realms/{realm}"):
        path = p.format(realm=COMMUNE_REALM)
        if m == "POST":
            return Req(m, path, data={"grant_type": "password", "username": "x", "password": "y"}, expect=401)
        return Req(m, path)
    if key == ("POST", "/auth/realms/communes/otp"):
        return Req(m, p, json={"commune_code": tenant.commune_code, "phone": "0912999999"}, expect=202)
    # providers' delivery reports: without the shared secret / signature they are refused
    if key == ("GET", "/webhooks/esms/delivery"):
        return Req(m, p, params={"SMSID": "x", "SendStatus": "5", "SendSuccess": "1"}, expect=401)
    if key == ("POST", "/webhooks/zalo/zns"):
        return Req(m, p, json={"event_name": "user_received_message", "message": {"msg_id": "x"}}, expect=401)
    if spec.kind == "public" and m == "GET":
        return Req(m, p)
    raise AssertionError(f"no plausible request for {spec.id}: teach request_for() about the new route")


# -- cameras, devices, operations centre (issue 5) ----------------------------------------------------
OPERATIONS_PREFIXES = ("/api/v1/camera", "/api/v1/device", "/api/v1/telemetry", "/api/v1/operations")


def _ops_rows(tenant: TenantInfo) -> dict[str, Any]:
    """A camera whose probe is refused at once (a private address, not allow-listed), an event, a profile,
    two devices, a command and an alarm, written as provisioning would."""
    from smartcommune.platform.cameras.models import Camera, CameraEvent
    from smartcommune.platform.devices.models import Alarm, Device, DeviceCommand, DeviceProfile

    with tenant_transaction(tenant) as db:
        camera = Camera(name=unique("Camera"), stream_url="rtsp://10.255.255.1:554/live", zones=[], masks=[])
        db.add(camera)
        db.flush()
        event = CameraEvent(camera_id=camera.id, started_at=func.now(), peak_area=0.2)
        profile = DeviceProfile(
            code=unique("p"),
            name="Van tưới",
            fields=[{"name": "soil_moisture", "unit": "%", "min": 0, "max": 100}],
            commands=[{"name": "open_valve", "params": {"minutes": {"min": 1, "max": 120}}, "timeout_s": 30}],
            alarm_rules=[],
        )
        db.add_all([event, profile])
        db.flush()
        device = Device(
            uid=unique("d"), serial=unique("SN"), name="Van 1", profile_id=profile.id, mqtt_username=unique("u")
        )
        db.add(device)
        db.flush()
        command = DeviceCommand(
            id=uuid.uuid4(), device_id=device.id, name="open_valve", params={"minutes": 5}, requested_by="api-tests"
        )
        alarm = Alarm(device_id=device.id, message="Độ ẩm thấp")
        db.add_all([command, alarm])
        db.flush()
        return {
            "camera": camera.id,
            "event": event.id,
            "profile": profile.id,
            "device": device.id,
            "command": command.id,
            "alarm": alarm.id,
        }


def _site_network(tenant: TenantInfo) -> int:
    from smartcommune.platform.cameras.models import SiteNetwork

    with tenant_transaction(tenant) as db:
        row = SiteNetwork(cidr=f"10.{next(_seq) % 250}.{uuid.uuid4().int % 250}.0/24", note="kiểm thử")
        db.add(row)
        db.flush()
        return row.id


def _ops_rule(tenant: TenantInfo, sensor_id: int) -> int:
    from smartcommune.platform.devices.models import DeviceRule

    with tenant_transaction(tenant) as db:
        rule = DeviceRule(
            name="Khô đất",
            kind="threshold",
            sensor_device_id=sensor_id,
            field="soil_moisture",
            op="below",
            threshold=20,
            clear_threshold=30,
            params={},
        )
        db.add(rule)
        db.flush()
        return rule.id


def _event_with_snapshot(tenant: TenantInfo, camera_id: int) -> int:
    """A motion event with its frame stored, as the motion worker writes it."""
    import io

    from PIL import Image

    from smartcommune.platform.cameras.models import CameraEvent
    from smartcommune.platform.files.service import PHOTO, store_upload

    frame = io.BytesIO()
    Image.new("RGB", (8, 8), (90, 90, 90)).save(frame, format="JPEG")
    with tenant_transaction(tenant) as db:
        stored = store_upload(
            db,
            tenant,
            filename="event.jpg",
            data=frame.getvalue(),
            purpose="camera_snapshot",
            actor="api-tests",
            rules=PHOTO,
        )
        event = CameraEvent(camera_id=camera_id, started_at=func.now(), peak_area=0.2, snapshot_file_id=stored.id)
        db.add(event)
        db.flush()
        return event.id


def operations_request(spec: RouteSpec, tenant: TenantInfo) -> Req:
    m, p = spec.method, spec.path
    if (m, p) == ("GET", "/api/v1/operations/stream"):
        return Req(m, p, params={"once": "true"})
    if m == "GET" and "{" not in p:
        return Req(m, p)
    if (m, p) == ("POST", "/api/v1/cameras"):
        return Req(m, p, json={"name": unique("Camera"), "stream_url": "rtsp://8.8.8.8:554/live"}, expect=201)
    if (m, p) == ("POST", "/api/v1/camera-site-network-requests"):
        return Req(m, p, json={"cidr": f"10.{uuid.uuid4().int % 250}.{next(_seq) % 250}.0/24"}, expect=201)
    if p == "/api/v1/camera-site-networks/{network_id}":
        return Req(m, p.format(network_id=_site_network(tenant)), expect=204)
    if (m, p) == ("POST", "/api/v1/device-profiles"):
        return Req(m, p, json={"code": unique("p"), "name": "Cảm biến"}, expect=201)
    if (m, p) == ("POST", "/api/v1/cameras/onvif/discover"):
        # Outside every site network the matrix allow-lists (10.0-249.x.0/24): refused before any packet.
        return Req(m, p, json={"address": "10.255.255.1", "timeout_ms": 200}, expect=422)
    ids = _ops_rows(tenant)
    if p == "/api/v1/device-rules/{rule_id}":
        path = p.format(rule_id=_ops_rule(tenant, ids["device"]))
        if m == "PATCH":
            return Req(m, path, json={"threshold": 15, "clear_threshold": 25, "enabled": False})
        return Req(m, path, expect=204)
    if p == "/api/v1/camera-events/{event_id}/snapshot":
        return Req(m, p.format(event_id=_event_with_snapshot(tenant, ids["camera"])))
    path = p.format(
        camera_id=ids["camera"],
        event_id=ids["event"],
        device_id=ids["device"],
        command_id=ids["command"],
        alarm_id=ids["alarm"],
    )
    if (m, p) == ("PATCH", "/api/v1/cameras/{camera_id}"):
        return Req(m, path, json={"location": "Cổng UBND"})
    if p in ("/api/v1/cameras/{camera_id}/snapshot", "/api/v1/cameras/{camera_id}/preview.jpg") and m == "GET":
        return Req(m, path, expect=404)  # nothing taken yet
    if p.endswith("/onvif/device-information"):
        return Req(m, path, expect=422)  # the camera's private address is not allow-listed: never contacted
    if p.endswith("/promote"):
        return Req(m, path, json={"title": "Cháy rừng", "field_report_id": "PA-1"})
    if (m, p) == ("POST", "/api/v1/devices"):
        body = {"uid": unique("dev"), "serial": unique("SN"), "name": "Van", "profile_id": ids["profile"]}
        return Req(m, p, json=body, expect=201)
    if (m, p) == ("POST", "/api/v1/devices/bulk"):
        body = {
            "devices": [{"uid": unique("dev"), "serial": unique("SN"), "name": "Van", "profile_id": ids["profile"]}]
        }
        return Req(m, p, json=body, expect=201)
    if m == "POST" and p.endswith("/commands"):
        return Req(m, path, json={"name": "open_valve", "params": {"minutes": 15}}, expect=202)
    if (m, p) == ("POST", "/api/v1/device-rules"):
        body = {
            "name": "Khô đất",
            "kind": "threshold",
            "sensor_device_id": ids["device"],
            "field": "soil_moisture",
            "op": "below",
            "threshold": 20,
            "clear_threshold": 30,
            "duration_s": 60,
        }
        return Req(m, p, json=body, expect=201)
    return Req(m, path)


# -- the world ----------------------------------------------------------------------------------------
@dataclass
class Api:
    """The running app, the two communes and an actor for every built-in role."""

    app: FastAPI
    client: TestClient
    a: TenantInfo
    b: TenantInfo
    actors: dict[tuple[int | None, str], Actor] = field(default_factory=dict)

    def actor(self, tenant: TenantInfo | None, role: str) -> Actor:
        if role in PROVIDER_ROLES:
            return self.actors[(None, role)]
        assert tenant is not None
        return self.actors[(tenant.commune_code, role)]

    def other(self, tenant: TenantInfo) -> TenantInfo:
        return self.b if tenant.commune_code == self.a.commune_code else self.a

    @staticmethod
    def host(tenant: TenantInfo | str) -> dict[str, str]:
        slug = tenant if isinstance(tenant, str) else tenant.slug
        return {"Host": f"{slug}.localhost"}

    def send(
        self, req: Req, *, tenant: TenantInfo | str | None = None, via: str = "host", actor: Actor | None = None
    ) -> httpx.Response:
        return self.call(
            req.method,
            req.path,
            tenant=tenant,
            via=via,
            actor=actor,
            params=req.params,
            json=req.json,
            data=req.data,
            files=req.files,
        )

    def call(
        self,
        method: str,
        path: str,
        *,
        tenant: TenantInfo | str | None = None,
        via: str = "host",
        actor: Actor | None = None,
        headers: dict[str, str] | None = None,
        **kw: Any,
    ) -> httpx.Response:
        """A request on a commune's host (`via="host"`), under its `/t/{slug}` prefix (`via="prefix"`)
        or, with no commune, on the platform's own host."""
        all_headers = dict(actor.auth if actor else {})
        if tenant is not None and via == "host":
            all_headers.update(self.host(tenant))
        elif tenant is not None:
            slug = tenant if isinstance(tenant, str) else tenant.slug
            path = f"/t/{slug}{path}"
        all_headers.update(headers or {})
        return self.client.request(method, path, headers=all_headers, **kw)


@pytest.fixture(scope="session")
def api(communes: tuple[TenantInfo, TenantInfo]) -> Iterator[Api]:
    reset_enforcer()
    reset_resolver()
    reset_validators()
    a, b = communes
    app = create_app()
    get_resolver().start_listener()
    world = Api(app=app, client=TestClient(app), a=a, b=b)
    for tenant in (a, b):
        for role in COMMUNE_ROLES:
            world.actors[(tenant.commune_code, role)] = make_commune_user(tenant, role)
        for _ in range(2):
            add_village(tenant)
    for role in PROVIDER_ROLES:
        world.actors[(None, role)] = make_provider_user(role)
    with world.client:
        yield world
    reset_enforcer()
    reset_resolver()
    reset_validators()


@pytest.fixture(autouse=True)
def _listening_resolver(request: pytest.FixtureRequest) -> None:
    """Another suite may have replaced the resolver: the API process must still hear registry changes."""
    if "api" in request.fixturenames:
        get_resolver().start_listener()


class Kit:
    """The helpers above as one fixture (test modules cannot import conftest under importlib mode)."""

    unique = staticmethod(unique)
    make_commune_user = staticmethod(make_commune_user)
    make_provider_user = staticmethod(make_provider_user)
    scalar = staticmethod(scalar)
    audit_count = staticmethod(audit_count)
    audit_rows = staticmethod(audit_rows)
    max_audit_id = staticmethod(max_audit_id)
    village_count = staticmethod(village_count)
    add_village = staticmethod(add_village)
    commune_state = staticmethod(commune_state)
    unused_commune_codes = staticmethod(unused_commune_codes)
    wait_for = staticmethod(wait_for)
    error_code = staticmethod(error_code)
    routes = ROUTES
    request_for = staticmethod(request_for)
    fresh_role = staticmethod(fresh_role)
    fresh_member = staticmethod(fresh_member)
    no_such_commune = NO_SUCH_COMMUNE
    password = PASSWORD
    seeder = SEEDER


@pytest.fixture(scope="session")
def kit() -> type[Kit]:
    return Kit
