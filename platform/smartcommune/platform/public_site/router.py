# ruff: noqa: E501 (HTML and strings read better on one line)
"""The commune's public web presence, server-rendered for visitors with no account (issue 15).

On the commune's host (`<slug>.<BASE_DOMAIN>/`) or under `/t/{slug}/`: home (name, branding, contacts,
office hours, latest commune-wide announcements), announcements, public reports (list, detail, an SVG map
that needs no tiles), listings with booking/ordering by name and phone (the listings' rate limit; Stripe
Checkout where the listing and the platform take cards), the library, contacts. The trace page of a lot
(`production`) uses the same frame. Vietnamese first, `?lang=en` for English. HTML only: the JSON is under
`/api/v1/public/*`.
"""

from __future__ import annotations

import gzip
import re
from datetime import date
from html import escape
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.types import Receive, Scope, Send

from smartcommune.platform.commune import service as commune_service
from smartcommune.platform.configuration.service import enabled_modules
from smartcommune.platform.directory import service as directory
from smartcommune.platform.http.auth import request_tenant, tenant_db
from smartcommune.platform.listings import service as listings
from smartcommune.platform.listings.schemas import RequestIn
from smartcommune.platform.public_site import pages
from smartcommune.platform.public_site.service import public_announcements
from smartcommune.platform.public_site.site import Site
from smartcommune.platform.reports import service as reports
from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.errors import AppError
from smartcommune.tenants.session import TenantSession
from smartcommune.tenants.settings import get_settings

router = APIRouter(tags=["public pages"], include_in_schema=False)

CACHE = {"Cache-Control": "public, max-age=60", "Vary": "Accept-Language"}
PAGE_SIZE = 30


def site_of(
    request: Request,
    tenant: TenantInfo = Depends(request_tenant),
    db: TenantSession = Depends(tenant_db, scope="function"),
) -> Site:
    return Site.of(request, commune_service.public_branding(db, tenant), enabled_modules(db))


class PageResponse(HTMLResponse):
    """An HTML page, gzipped for a browser that takes it (a 19 kB list is 4 kB on a slow 3G link)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        accepts = next((v for k, v in scope.get("headers", []) if k == b"accept-encoding"), b"")
        if b"gzip" in accepts and len(self.body) > 1024 and "content-encoding" not in self.headers:
            self.body = gzip.compress(self.body, compresslevel=6)
            self.headers["content-encoding"] = "gzip"
            self.headers["content-length"] = str(len(self.body))
            vary = self.headers.get("vary")
            self.headers["vary"] = f"{vary}, Accept-Encoding" if vary else "Accept-Encoding"
        await super().__call__(scope, receive, send)


def _html(body: str, status: int = 200, *, cache: bool = True) -> HTMLResponse:
    return PageResponse(
        body, status_code=status, headers=CACHE if cache and status == 200 else {"Cache-Control": "no-store"}
    )


def _missing(s: Site, key: str = "site.notFoundBody") -> HTMLResponse:
    return _html(s.page(s.t("site.notFound"), pages.not_found(s, key)), 404)


@router.get("/", response_class=HTMLResponse)
def home(s: Site = Depends(site_of), db: TenantSession = Depends(tenant_db, scope="function")) -> Response:
    news = public_announcements(db, limit=3) if s.offers("announcements") else []
    return _html(s.page(s.branding.name, pages.home(s, news), active="/"))


@router.get("/announcements", response_class=HTMLResponse)
def announcements(s: Site = Depends(site_of), db: TenantSession = Depends(tenant_db, scope="function")) -> Response:
    if not s.offers("announcements"):
        return _missing(s, "site.moduleOff")
    rows = public_announcements(db, limit=50)
    return _html(s.page(s.t("news.title"), pages.announcements(s, rows), active="/announcements"))


_PUBLIC_STATUSES = ("accepted", "in_progress", "resolved", "closed", "new")


@router.get("/reports", response_class=HTMLResponse)
def report_list(
    status: str | None = Query(default=None, max_length=20),
    before_id: int | None = Query(default=None, ge=1),
    s: Site = Depends(site_of),
    db: TenantSession = Depends(tenant_db, scope="function"),
) -> Response:
    if not s.offers("reports"):
        return _missing(s, "site.moduleOff")
    wanted = status if status in _PUBLIC_STATUSES else None
    rows = reports.public_list(db, category_code=None, status=wanted, before_id=before_id, limit=PAGE_SIZE + 1)
    more = rows[PAGE_SIZE - 1].id if len(rows) > PAGE_SIZE else None
    body = pages.reports(s, rows[:PAGE_SIZE], status=wanted, next_before=more)
    return _html(s.page(s.t("reports.title"), body, active="/reports"))


@router.get("/reports/map", response_class=HTMLResponse)
def report_map(s: Site = Depends(site_of), db: TenantSession = Depends(tenant_db, scope="function")) -> Response:
    if not s.offers("reports"):
        return _missing(s, "site.moduleOff")
    collection = reports.public_map(db, category_code=None, status=None, before_id=None, limit=300)
    return _html(s.page(s.t("map.title"), pages.report_map(s, collection["features"]), active="/reports/map"))


@router.get("/reports/{report_id}", response_class=HTMLResponse)
def report_detail(
    report_id: int, s: Site = Depends(site_of), db: TenantSession = Depends(tenant_db, scope="function")
) -> Response:
    if not s.offers("reports"):
        return _missing(s, "site.moduleOff")
    rows = reports.public_list(db, category_code=None, status=None, before_id=None, limit=1, report_id=report_id)
    if not rows:
        return _missing(s)
    r = rows[0]
    return _html(
        s.page(f"{r.category_name} · {s.t('reports.number', id=r.id)}", pages.report_detail(s, r), active="/reports")
    )


@router.get("/listings", response_class=HTMLResponse)
def listing_list(
    kind: str | None = Query(default=None, max_length=20),
    s: Site = Depends(site_of),
    db: TenantSession = Depends(tenant_db, scope="function"),
) -> Response:
    if not s.offers("listings"):
        return _missing(s, "site.moduleOff")
    wanted = kind if kind in ("service", "tourism", "product") else None
    rows = listings.search(db, kind=wanted, category=None, public=True)
    return _html(s.page(s.t("listings.title"), pages.listings(s, rows, kind=wanted), active="/listings"))


# -- booking / ordering ---------------------------------------------------------------------------------
_DMY = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*$")
_FIELD_LABEL = {
    "name": "book.name",
    "phone": "book.phone",
    "quantity": "book.quantity",
    "starts_on": "book.startsOn",
    "ends_on": "book.endsOn",
    "nights": "book.nights",
    "note": "book.note",
}
_FIELD_ERROR = {"name": "err.name", "phone": "err.phone", "quantity": "err.quantity", "nights": "err.quantity"}


def _date(raw: str) -> str | None:
    """dd/mm/yyyy (as typed in Vietnam) or yyyy-mm-dd → ISO; blank → None; anything else as given (refused)."""
    raw = raw.strip()
    if not raw:
        return None
    m = _DMY.match(raw)
    if m:
        try:
            return date(int(m[3]), int(m[2]), int(m[1])).isoformat()
        except ValueError:
            return raw
    return raw


def _card_possible(item: Any) -> bool:
    return bool(item.accepts_card and item.price_vnd and get_settings().stripe_api_key)


def _booking_form(s: Site, item: Any, values: dict[str, str], errors: dict[str, str], problem: str = "") -> str:
    product = item.kind == "product"
    fields = RequestIn.model_fields
    out = [
        f"<section aria-labelledby='h-book'><h2 id='h-book'>{s.e('book.titleProduct' if product else 'book.title')}</h2>"
    ]
    out.append(f"<p class='m'>{s.e('book.intro')}</p>")
    if errors or problem:
        listed = "".join(f"<li><a href='#f-{k}'>{v}</a></li>" for k, v in errors.items())
        out.append(
            f"<div class='errors' role='alert' tabindex='-1' id='errors'><p><b>{s.e('book.errors')}</b></p>"
            + (f"<p>{problem}</p>" if problem else "")
            + (f"<ul>{listed}</ul>" if listed else "")
            + "</div>"
        )
    lang = "<input type='hidden' name='lang' value='en'>" if s.lang == "en" else ""
    out.append(f"<form method='post' action='{s.href(f'/listings/{item.id}').split('?')[0]}' novalidate>{lang}")

    def field(name: str, kind: str = "text", extra: str = "", hint: str = "") -> None:
        if name not in fields:
            return
        key = _FIELD_LABEL[name]
        if name == "quantity" and item.kind == "tourism":
            key = "book.quantityPeople"
        value = values.get(name, "")
        described = []
        hint_html = ""
        if hint:
            hint_html = f"<span class='m' id='h-{name}'>{hint}</span>"
            described.append(f"h-{name}")
        err_html = ""
        if name in errors:
            err_html = f"<span class='no' id='e-{name}'>{errors[name]}</span>"
            described.append(f"e-{name}")
        aria = f" aria-describedby='{' '.join(described)}'" if described else ""
        invalid = " aria-invalid='true'" if name in errors else ""
        label = f"<label for='f-{name}'>{s.e(key)}</label>"
        if kind == "textarea":
            control = f"<textarea id='f-{name}' name='{name}' rows='3'{aria}{invalid}>{_esc(value)}</textarea>"
        else:
            control = f"<input id='f-{name}' name='{name}' type='{kind}' value='{_esc(value)}'{extra}{aria}{invalid}>"
        out.append(label + hint_html + err_html + control)

    field("name", extra=" autocomplete='name' required")
    field("phone", "tel", " autocomplete='tel' inputmode='tel' required", s.e("book.phoneHint"))
    field("quantity", "number", " min='1' max='1000' inputmode='numeric'")
    if not product:
        field("starts_on", extra=" inputmode='numeric' placeholder='dd/mm/yyyy'")
        field("ends_on", extra=" inputmode='numeric' placeholder='dd/mm/yyyy'")
        field("nights", "number", " min='1' max='365' inputmode='numeric'")
    field("note", "textarea")
    if _card_possible(item) and "pay_by_card" in fields:
        checked = " checked" if values.get("pay_by_card") else ""
        out.append(
            f"<label class='check' for='f-card'><input id='f-card' type='checkbox' name='pay_by_card' value='1'{checked}>"
            f"{s.e('book.card')}</label>"
        )
    out.append(f"<button type='submit'>{s.e('book.submit')}</button></form></section>")
    return "".join(out)


def _esc(value: str) -> str:
    return escape(value, quote=True)


@router.get("/listings/{listing_id}", response_class=HTMLResponse)
def listing_detail(
    listing_id: int,
    request: Request,
    s: Site = Depends(site_of),
    db: TenantSession = Depends(tenant_db, scope="function"),
) -> Response:
    if not s.offers("listings"):
        return _missing(s, "site.moduleOff")
    try:
        item = listings.get(db, listing_id, public=True)
    except AppError:
        return _missing(s)
    notice = ""
    if request.query_params.get("paid"):
        notice = f"<div class='notice' role='status'><p>{s.e('book.paid')}</p></div>"
    elif request.query_params.get("cancelled"):
        notice = f"<div class='notice' role='status'><p>{s.e('book.cancelled')}</p></div>"
    body = pages.listing_detail(s, item, form=_booking_form(s, item, {"quantity": "1"}, {}), notice=notice)
    return _html(s.page(item.title, body, active="/listings"), cache=not notice)


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


@router.post("/listings/{listing_id}", response_class=HTMLResponse)
def book(
    listing_id: int,
    request: Request,
    form: dict[str, str] = Depends(_form),
    tenant: TenantInfo = Depends(request_tenant),
    s: Site = Depends(site_of),
    db: TenantSession = Depends(tenant_db, scope="function"),
) -> Response:
    """A visitor's booking or order from the page's form (no script): the same service, rate limit and
    Stripe Checkout as `POST /api/v1/public/listings/{id}/requests`; errors are shown beside their field."""
    if not s.offers("listings"):
        return _missing(s, "site.moduleOff")
    try:
        item = listings.get(db, listing_id, public=True)
    except AppError:
        return _missing(s)
    values = {k: v[:2000] for k, v in form.items() if k in RequestIn.model_fields or k == "lang"}
    data: dict[str, Any] = {k: v.strip() for k, v in values.items() if k in RequestIn.model_fields and v.strip()}
    for key in ("starts_on", "ends_on"):
        if key in data:
            data[key] = _date(data[key])
    if "phone" in data:
        data["phone"] = re.sub(r"[\s.()-]", "", data["phone"])
    data["pay_by_card"] = bool(values.get("pay_by_card")) and _card_possible(item)
    errors: dict[str, str] = {}
    problem, problem_status = "", 422
    row = None
    try:
        parsed = RequestIn(**data)
    except ValidationError as exc:
        for err in exc.errors():
            name = str(err["loc"][0]) if err.get("loc") else "note"
            label = s.t(_FIELD_LABEL.get(name, "book.note"))
            if name in ("starts_on", "ends_on"):
                message = s.t("err.date")
            elif name in _FIELD_ERROR:
                message = s.t(_FIELD_ERROR[name])
            else:
                message = s.t("err.input", field=label)
            errors.setdefault(name if name in _FIELD_LABEL else "note", _esc(message))
    else:
        client_ip = request.client.host[:45] if request.client else None
        try:
            with db.begin_nested():  # a refusal after the row was written leaves nothing behind
                row = listings.submit_request(
                    db, tenant, item.id, parsed, client_ip=client_ip, return_url=_return_url(s, item.id)
                )
        except AppError as exc:
            problem, problem_status = _esc(exc.message_en if s.lang == "en" else exc.message_vi), exc.status
    if row is None:
        body = pages.listing_detail(s, item, form=_booking_form(s, item, values, errors, problem))
        return _html(s.page(item.title, body, active="/listings"), problem_status)
    if row.checkout_url:
        return RedirectResponse(row.checkout_url, status_code=303)
    amount = f"<p>{s.e('book.amount', amount=s.money(row.amount_vnd))}</p>" if row.amount_vnd else ""
    notice = (
        f"<div class='notice' role='status' id='sent'><p><b>{s.e('book.sent', id=row.id)}</b></p>"
        f"<p>{s.e('book.sentBody', phone=s.phone(row.phone))}</p>{amount}</div>"
    )
    body = pages.listing_detail(s, item, form="", notice=notice)
    return _html(s.page(item.title, body, active="/listings"), 201)


def _return_url(s: Site, listing_id: int) -> str:
    """Stripe Checkout comes back to this page (`?paid=1` / `?cancelled=1`)."""
    host = s.request.headers.get("host", "localhost")
    return f"{s.request.url.scheme}://{host}{s.root}/listings/{listing_id}"


# -- library, contacts, trace lookup -----------------------------------------------------------------
@router.get("/library", response_class=HTMLResponse)
def library(
    q: str = Query(default="", max_length=200),
    category: str = Query(default="", max_length=20),
    s: Site = Depends(site_of),
    db: TenantSession = Depends(tenant_db, scope="function"),
) -> Response:
    category_id = int(category) if category.isascii() and category.isdigit() and len(category) < 18 else None
    docs = directory.search(db, q=q or None, category_id=category_id, limit=100, offset=0)
    cats = directory.categories(db)
    return _html(
        s.page(s.t("library.title"), pages.library(s, docs, cats, q=q, category_id=category_id), active="/library")
    )


@router.get("/contacts", response_class=HTMLResponse)
def contacts(s: Site = Depends(site_of), db: TenantSession = Depends(tenant_db, scope="function")) -> Response:
    return _html(s.page(s.t("contacts.title"), pages.contacts(s, directory.contacts(db, None)), active="/contacts"))


@router.get("/trace", response_class=HTMLResponse)
def trace_lookup(lot: str = Query(default="", max_length=80), s: Site = Depends(site_of)) -> Response:
    """A form for the lot code printed on the label; a code goes to the lot's trace page."""
    code = lot.strip()
    if code:
        target = f"{s.root}/trace/{quote(code, safe='')}" + ("?lang=en" if s.lang == "en" else "")
        return RedirectResponse(target, status_code=303)
    if not s.offers("traceability"):
        return _missing(s, "site.moduleOff")
    lang = "<input type='hidden' name='lang' value='en'>" if s.lang == "en" else ""
    body = (
        f"<h1>{s.e('trace.title')}</h1><form method='get' action='{s.href('/trace').split('?')[0]}'>{lang}"
        f"<label for='lot'>{s.e('trace.lotCode')}</label><input id='lot' name='lot' autocomplete='off'>"
        f"<button type='submit'>{s.e('library.go')}</button></form>"
    )
    return _html(s.page(s.t("trace.title"), body))
