# ruff: noqa: E501 (HTML and strings read better on one line)
"""The public pages' bodies. Every text from the database is escaped; every string of ours is in strings.py."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

from smartcommune.platform.announcements.models import Announcement
from smartcommune.platform.directory.models import Contact, LibraryCategory, LibraryDocument
from smartcommune.platform.listings.models import Listing
from smartcommune.platform.public_site import svgmap
from smartcommune.platform.public_site.site import Site
from smartcommune.platform.reports.schemas import PublicReport

DONE = ("resolved", "closed")


def _paragraphs(text: str) -> str:
    return "".join(f"<p>{escape(p)}</p>" for p in text.split("\n") if p.strip())


def _contact_block(s: Site) -> str:
    b = s.branding
    rows = []
    if b.address:
        rows.append(f"<dt>{s.e('home.address')}</dt><dd>{escape(b.address)}</dd>")
    if b.contact_phone:
        rows.append(
            f"<dt>{s.e('home.phone')}</dt><dd><a href='{s.tel(b.contact_phone)}'>{escape(s.phone(b.contact_phone))}</a></dd>"
        )
    if b.contact_email:
        mail = escape(b.contact_email, quote=True)
        rows.append(f"<dt>{s.e('home.email')}</dt><dd><a href='mailto:{mail}'>{escape(b.contact_email)}</a></dd>")
    if b.office_hours:
        rows.append(f"<dt>{s.e('home.hours')}</dt><dd>{escape(b.office_hours)}</dd>")
    return f"<dl>{''.join(rows)}</dl>" if rows else ""


def _announcement(s: Site, a: Announcement, *, full: bool) -> str:
    urgent = f"<span class='tag urgent'>{s.e('news.urgent')}</span>" if a.priority == "urgent" else ""
    when = s.e("news.published", date=s.date(a.published_at or a.publish_at))
    body = _paragraphs(a.body) if full else f"<p>{escape(a.body[:240])}{'…' if len(a.body) > 240 else ''}</p>"
    return (
        f"<article class='card' id='a{a.id}'><h3>{urgent}{escape(a.title)}</h3><p class='m'>{when}</p>{body}</article>"
    )


def home(s: Site, news: Sequence[Announcement]) -> str:
    b = s.branding
    tiles = [
        (route, key)
        for route, key, module in (
            ("/reports", "site.reports", "reports"),
            ("/reports/map", "site.map", "reports"),
            ("/listings", "site.listings", "listings"),
            ("/library", "site.library", None),
            ("/contacts", "site.contacts", None),
            ("/trace", "site.trace", "traceability"),
        )
        if s.offers(module)
    ]
    parts = [f"<h1>{s.e('home.welcome', name=b.name)}</h1>"]
    contact = _contact_block(s)
    if contact:
        parts.append(
            f"<section class='card' aria-labelledby='h-contact'><h2 id='h-contact'>{s.e('home.contact')}</h2>{contact}</section>"
        )
    if s.offers("announcements"):
        items = "".join(_announcement(s, a, full=False) for a in news) or f"<p>{s.e('news.none')}</p>"
        more = f"<p><a href='{s.href('/announcements')}'>{s.e('home.allNews')}</a></p>" if news else ""
        parts.append(
            f"<section aria-labelledby='h-news'><h2 id='h-news'>{s.e('home.latest')}</h2>{items}{more}</section>"
        )
    links = "".join(f"<a class='card' href='{s.href(route)}'>{s.e(key)}</a>" for route, key in tiles)
    parts.append(
        f"<section aria-labelledby='h-svc'><h2 id='h-svc'>{s.e('home.services')}</h2><div class='grid'>{links}</div></section>"
    )
    return "".join(parts)


def announcements(s: Site, news: Sequence[Announcement]) -> str:
    items = "".join(_announcement(s, a, full=True) for a in news) or f"<p>{s.e('news.none')}</p>"
    return f"<h1>{s.e('news.title')}</h1>{items}"


def _status(s: Site, status: str) -> str:
    key = f"status.{status}"
    return s.t(key) if key in _STATUS_KEYS else status


_STATUS_KEYS = {
    f"status.{k}" for k in ("new", "accepted", "in_progress", "resolved", "closed", "rejected", "duplicate")
}


def _report_card(s: Site, r: PublicReport) -> str:
    cls = "ok" if r.status in DONE else ""
    lines = [s.e("reports.sent", date=s.date(r.created_at))]
    if r.resolved_at:
        lines.append(s.e("reports.resolvedOn", date=s.date(r.resolved_at)))
    if r.overdue:
        lines.append(f"<span class='no'>{s.e('reports.overdue')}</span>")
    place = r.address or r.address_code
    text = escape(r.description[:200]) + ("…" if len(r.description) > 200 else "")
    return (
        f"<li class='card'><h3><a href='{s.href(f'/reports/{r.id}')}'>{escape(r.category_name)} · {s.e('reports.number', id=r.id)}</a></h3>"
        f"<p><span class='tag {cls}'>{escape(_status(s, r.status))}</span>{text}</p>"
        + (f"<p class='m'>{s.e('reports.place', place=place)}</p>" if place else "")
        + f"<p class='m'>{' · '.join(lines)}</p></li>"
    )


def reports(s: Site, rows: Sequence[PublicReport], *, status: str | None, next_before: int | None) -> str:
    options = "".join(
        f"<option value='{v}'" + (" selected" if v == (status or "") else "") + f">{escape(label)}</option>"
        for v, label in [("", s.t("reports.all"))]
        + [(k, _status(s, k)) for k in ("accepted", "in_progress", "resolved", "closed")]
    )
    lang = "<input type='hidden' name='lang' value='en'>" if s.lang == "en" else ""
    form = (
        f"<form method='get' action='{s.href('/reports').split('?')[0]}'>{lang}<label for='status'>{s.e('reports.filter')}</label>"
        f"<select id='status' name='status'>{options}</select><button type='submit'>{s.e('reports.show')}</button></form>"
    )
    items = "".join(_report_card(s, r) for r in rows) or f"<li>{s.e('reports.none')}</li>"
    more = (
        f"<p><a href='{s.href('/reports', status=status, before_id=next_before)}'>{s.e('reports.older')}</a></p>"
        if next_before
        else ""
    )
    return (
        f"<h1>{s.e('reports.title')}</h1><p>{s.e('reports.intro')}</p>"
        f"<p class='m'>{s.e('reports.send')} <a href='{escape(s.root, quote=True)}/app/resident/'>{s.e('site.residentApp')}</a></p>"
        f"<p><a href='{s.href('/reports/map')}'>{s.e('site.map')}</a></p>{form}<ul class='plain'>{items}</ul>{more}"
    )


def report_detail(s: Site, r: PublicReport) -> str:
    photos = "".join(
        f"<img src='{s.api(f'/public/reports/{r.id}/photos/{p}')}' alt='{s.e('reports.photo', n=i + 1)}' loading='lazy' width='144' height='144'>"
        for i, p in enumerate(r.photo_ids)
    )
    place = r.address or r.address_code
    facts = [s.e("reports.sent", date=s.date(r.created_at))]
    if r.resolved_at:
        facts.append(s.e("reports.resolvedOn", date=s.date(r.resolved_at)))
    return (
        f"<h1>{escape(r.category_name)} · {s.e('reports.number', id=r.id)}</h1>"
        f"<p><span class='tag {'ok' if r.status in DONE else ''}'>{escape(_status(s, r.status))}</span></p>"
        f"{_paragraphs(r.description)}"
        + (f"<p>{s.e('reports.place', place=place)}</p>" if place else "")
        + f"<p class='m'>{' · '.join(facts)}</p>"
        + (f"<div class='photos'>{photos}</div>" if photos else "")
        + f"<p><a href='{s.href('/reports')}'>{s.e('site.reports')}</a> · <a href='{s.href('/reports/map')}'>{s.e('site.map')}</a></p>"
    )


def report_map(s: Site, features: list[dict[str, Any]]) -> str:
    points = [
        svgmap.Point(
            lat=f["geometry"]["coordinates"][1],
            lng=f["geometry"]["coordinates"][0],
            href=s.href(f"/reports/{f['id']}"),
            label=f"{f['properties']['category_name']} · {s.t('reports.number', id=f['id'])} · {_status(s, f['properties']['status'])}",
            done=f["properties"]["status"] in DONE,
        )
        for f in features
    ]
    if not points:
        return f"<h1>{s.e('map.title')}</h1><p>{s.e('map.none')}</p>"
    drawing = svgmap.render(
        points, title=s.t("map.title"), desc=s.t("map.desc"), legend=(s.t("map.open"), s.t("map.done"))
    )
    listing = "".join(f"<li><a href='{p.href}'>{escape(p.label)}</a></li>" for p in points)
    return (
        f"<h1>{s.e('map.title')}</h1><p class='m'>{s.e('map.desc')}</p><figure style='margin:0'>{drawing}</figure>"
        f"<h2>{s.e('map.list')}</h2><ul>{listing}</ul>"
    )


def _price(s: Site, item: Listing) -> str:
    if item.price_vnd is None:
        return s.e("listings.priceAsk")
    unit = f" {escape(item.price_unit)}" if item.price_unit else ""
    return s.e("listings.price", price=s.money(item.price_vnd)) + unit


def listings(s: Site, rows: Sequence[Listing], *, kind: str | None) -> str:
    items = []
    for item in rows:
        photo = (
            f"<img src='{s.api(f'/public/listings/{item.id}/photos/{item.photo_ids[0]}')}' alt='{s.e('listings.photo', title=item.title)}'"
            " loading='lazy' width='144' height='144' style='float:right;margin-left:.6rem;width:6rem;height:6rem;object-fit:cover;border-radius:6px'>"
            if item.photo_ids
            else ""
        )
        more = s.e("listings.moreProduct" if item.kind == "product" else "listings.more")
        items.append(
            f"<li class='card'>{photo}<p class='m'><span class='tag'>{s.e(f'listings.kind.{item.kind}')}</span></p>"
            f"<h2 style='margin-top:.2rem'>{escape(item.title)}</h2><p>{_price(s, item)}</p>"
            f"<p class='m'>{escape(item.description[:180])}{'…' if len(item.description) > 180 else ''}</p>"
            f"<p><a href='{s.href(f'/listings/{item.id}')}' aria-label='{more}: {escape(item.title, quote=True)}'>{more}</a></p></li>"
        )
    tabs = " · ".join(
        (f"<b>{s.e(key)}</b>" if k == (kind or "") else f"<a href='{s.href('/listings', kind=k)}'>{s.e(key)}</a>")
        for k, key in (
            ("", "reports.all"),
            ("tourism", "listings.kind.tourism"),
            ("service", "listings.kind.service"),
            ("product", "listings.kind.product"),
        )
    )
    body = "".join(items) or f"<li>{s.e('listings.none')}</li>"
    return f"<h1>{s.e('listings.title')}</h1><p>{s.e('listings.intro')}</p><p>{tabs}</p><ul class='plain'>{body}</ul>"


def listing_detail(
    s: Site,
    item: Listing,
    *,
    form: str,
    notice: str = "",
) -> str:
    photos = "".join(
        f"<img src='{s.api(f'/public/listings/{item.id}/photos/{p}')}' alt='{s.e('listings.photo', title=item.title)} ({i + 1})' loading='lazy' width='144' height='144'>"
        for i, p in enumerate(item.photo_ids)
    )
    shops = "".join(
        f"<li><a href='{escape(str(link.get('url', '')), quote=True)}' rel='noopener'>{escape(str(link.get('name', '')))}</a></li>"
        for link in item.shop_links
    )
    contact = s.e("listings.contact", name=item.contact_name, phone=s.phone(item.contact_phone))
    return (
        f"<p class='m'><a href='{s.href('/listings')}'>{s.e('book.back')}</a></p>{notice}"
        f"<h1>{escape(item.title)}</h1><p><span class='tag'>{s.e(f'listings.kind.{item.kind}')}</span>{_price(s, item)}"
        + (f" · <span class='ok'>{s.e('listings.card')}</span>" if item.accepts_card else "")
        + f"</p>{_paragraphs(item.description)}"
        + (f"<div class='photos'>{photos}</div>" if photos else "")
        + f"<p><a href='{s.tel(item.contact_phone)}'>{contact}</a></p>"
        + (f"<h2>{s.e('listings.shops')}</h2><ul>{shops}</ul>" if shops else "")
        + form
    )


def library(
    s: Site, docs: Sequence[LibraryDocument], cats: Sequence[LibraryCategory], *, q: str, category_id: int | None
) -> str:
    names = {c.id: c.name for c in cats}
    options = f"<option value=''>{s.e('reports.all')}</option>" + "".join(
        f"<option value='{c.id}'" + (" selected" if c.id == category_id else "") + f">{escape(c.name)}</option>"
        for c in cats
    )
    lang = "<input type='hidden' name='lang' value='en'>" if s.lang == "en" else ""
    form = (
        f"<form method='get' action='{s.href('/library').split('?')[0]}' role='search'>{lang}"
        f"<label for='q'>{s.e('library.search')}</label><input id='q' name='q' type='search' value='{escape(q, quote=True)}'>"
        f"<label for='cat'>{s.e('library.category')}</label><select id='cat' name='category'>{options}</select>"
        f"<button type='submit'>{s.e('library.go')}</button></form>"
    )
    items = "".join(
        f"<li class='card'><h2 style='margin-top:0'>{escape(d.title)}</h2>"
        f"<p class='m'>{escape(names.get(d.category_id, ''))}"
        + (f" · {escape(d.doc_number)}" if d.doc_number else "")
        + (f" · {s.e('library.issued', date=s.date(d.issued_on))}" if d.issued_on else "")
        + "</p>"
        + (f"<p>{escape(d.summary)}</p>" if d.summary else "")
        + f"<p><a href='{s.api(f'/public/library/{d.id}/file')}'>{s.e('library.download', title=d.title)}</a></p></li>"
        for d in docs
    )
    found = f"<p class='m' role='status'>{s.e('library.found', n=len(docs))}</p>" if q or category_id else ""
    return f"<h1>{s.e('library.title')}</h1>{form}{found}" + (
        f"<ul class='plain'>{items}</ul>" if items else f"<p>{s.e('library.none')}</p>"
    )


def contacts(s: Site, rows: Sequence[Contact]) -> str:
    def block(kind: str, key: str) -> str:
        mine = [c for c in rows if c.kind == kind]
        if not mine:
            return ""
        items = []
        for c in mine:
            role = " · ".join(escape(x) for x in (c.position, c.department) if x)
            phone = (
                f"<p><a href='{s.tel(c.phone)}' aria-label='{s.e('contacts.call', name=c.name, phone=s.phone(c.phone))}'>{escape(s.phone(c.phone))}</a></p>"
                if c.phone
                else ""
            )
            mail = f"<p><a href='mailto:{escape(c.email, quote=True)}'>{escape(c.email)}</a></p>" if c.email else ""
            hours = f"<p class='m'>{escape(c.hours)}</p>" if c.hours else ""
            items.append(
                f"<li class='card'><h3>{escape(c.name)}</h3>"
                + (f"<p class='m'>{role}</p>" if role else "")
                + f"{phone}{mail}{hours}</li>"
            )
        return f"<h2>{s.e(key)}</h2><ul class='plain'>{''.join(items)}</ul>"

    body = block("hotline", "contacts.hotline") + block("official", "contacts.official")
    office = _contact_block(s)
    return (
        f"<h1>{s.e('contacts.title')}</h1>"
        + (
            f"<section class='card' aria-labelledby='h-office'><h2 id='h-office' style='margin-top:0'>{s.e('home.contact')}</h2>{office}</section>"
            if office
            else ""
        )
        + (body or f"<p>{s.e('contacts.none')}</p>")
    )


def not_found(s: Site, message_key: str = "site.notFoundBody") -> str:
    return f"<h1>{s.e('site.notFound')}</h1><p>{s.e(message_key)}</p><p><a href='{s.href('/')}'>{s.e('site.backHome')}</a></p>"
