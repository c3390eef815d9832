"""Issue 15: the commune's public pages for visitors (no account), server-rendered, Vietnamese first with
`?lang=en`; before, only JSON under /api/v1/public/* existed and the listings asked for the phone login."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from typing import ClassVar

from sqlalchemy import select
from testsupport.commune_world import World, unique

from smartcommune.platform.announcements.models import Announcement
from smartcommune.platform.listings import service as listings
from smartcommune.platform.listings.models import ListingRequest
from smartcommune.platform.listings.schemas import ListingIn
from smartcommune.platform.reports.models import Report, ReportCategory
from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.session import tenant_transaction

BROWSER = {"Accept": "text/html"}


class _Page(HTMLParser):
    """Text, links and ids of a page; and whether every tag that opens also closes (well-formed enough)."""

    VOID: ClassVar[set[str]] = {"meta", "img", "input", "br", "link", "hr", "line", "circle", "rect"}

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.links: list[str] = []
        self.ids: list[str] = []
        self.stack: list[str] = []
        self.lang: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang")
        if tag == "a" and a.get("href"):
            self.links.append(str(a["href"]))
        if a.get("id"):
            self.ids.append(str(a["id"]))
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        pass

    def handle_endtag(self, tag: str) -> None:
        if tag in self.VOID:
            return
        assert self.stack and self.stack[-1] == tag, (tag, self.stack[-5:])
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def page(world: World, tenant: TenantInfo, path: str, status: int = 200, **kw: object) -> _Page:
    response = world.call("GET", path, tenant, headers=BROWSER, **kw)  # type: ignore[arg-type]
    assert response.status_code == status, (path, response.status_code, response.text[:500])
    assert response.headers["content-type"].startswith("text/html")
    parsed = _Page()
    parsed.feed(response.text)
    assert parsed.stack == [] and len(set(parsed.ids)) == len(parsed.ids), path
    assert len(response.content) < 60_000, path  # slow 3G: a page is a few kB
    return parsed


def text(p: _Page) -> str:
    return " ".join(" ".join(p.text).split())


def _seed(world: World) -> dict[str, object]:
    a = world.a
    marker = unique("Loa")
    now = datetime.now(UTC)
    with tenant_transaction(a) as db:
        common = {"created_by": "test", "publish_at": now - timedelta(hours=1), "status": "published"}
        public = Announcement(title=f"Lịch cắt điện {marker}", body="Thứ Bảy 7–11 giờ.", published_at=now, **common)
        village_only = Announcement(
            title=f"Họp thôn riêng {marker}", body="Chỉ thôn 1.", whole_commune=False, target_village_ids=[1], **common
        )
        db.add_all([public, village_only])
        category = ReportCategory(
            code=unique("den")[:40], name="Đèn đường", sla_hours=24, responsible_role="commune_official"
        )
        db.add(category)
        db.flush()
        due = now + timedelta(days=1)
        accepted = Report(
            category_id=category.id,
            description=f"Đèn hỏng {marker}",
            status="accepted",
            source="app",
            lat=16.80,
            lng=107.00,
            sla_due_at=due,
            reporter_name="Phan Thị Khách",
            address="Thôn An Bình",
        )
        fresh = Report(
            category_id=category.id,
            description=f"Chưa duyệt {marker}",
            status="new",
            source="app",
            lat=16.81,
            lng=107.01,
            sla_due_at=due,
        )
        db.add_all([accepted, fresh])
        db.flush()
        listing = listings.create(
            db,
            ListingIn(
                kind="tourism",
                category="homestay",
                title=f"Homestay {marker}",
                description="Nhà sàn ven sông.",
                price_vnd=450_000,
                price_unit="/đêm",
                contact_name="Chị Hoa",
                contact_phone="0912345678",
            ),
            actor="test",
            actor_kind="commune",
        )
        return {"marker": marker, "accepted": accepted.id, "fresh": fresh.id, "listing": listing.id}


def test_home_and_announcements_in_the_communes_branding(world: World) -> None:
    a, b = world.a, world.b
    seeded = _seed(world)
    admin = world.person(a, "commune_admin")
    settings = {
        "display_name": "Xã Cam Lộ (thử)",
        "primary_color": "#7a1f5c",
        "contact_phone": "0233 3861 115",
        "contact_email": "ubnd@camlo.gov.vn",
        "address": "Khu phố 3, Cam Lộ",
        "office_hours": "Thứ Hai–Thứ Sáu, 7:30–17:00",
    }
    keep = ("display_name", "primary_color", "contact_phone", "contact_email", "address", "office_hours")
    before = world.call("GET", "/api/v1/commune/settings", a, admin).json()
    try:
        assert world.call("PUT", "/api/v1/commune/settings", a, admin, json=settings).status_code == 200
        home = page(world, a, "/")
        body = text(home)
        assert home.lang == "vi" and "Xã Cam Lộ (thử)" in body and "Thứ Hai–Thứ Sáu, 7:30–17:00" in body
        assert "0233 3861 115" in body and "ubnd@camlo.gov.vn" in body and "Khu phố 3, Cam Lộ" in body
        assert f"Lịch cắt điện {seeded['marker']}" in body and f"Họp thôn riêng {seeded['marker']}" not in body
        raw = world.call("GET", "/", a, headers=BROWSER).text
        assert "--c:#7a1f5c" in raw and "<script" not in raw
        for route in ("/announcements", "/reports", "/reports/map", "/listings", "/library", "/contacts"):
            assert route in home.links
        # English on request; the other commune shows none of it.
        en = text(page(world, a, "/", params={"lang": "en"}))
        assert "Welcome to Xã Cam Lộ (thử)" in en and "Latest announcements" in en and "Thông báo mới nhất" not in en
        assert "Lịch cắt điện" not in text(page(world, b, "/announcements"))
        news = text(page(world, a, "/announcements"))
        assert f"Lịch cắt điện {seeded['marker']}" in news and "Thứ Bảy 7–11 giờ." in news
        # The prefix path works too, with links that stay under it.
        prefixed = world.client.get(f"/t/{a.slug}/reports", headers=BROWSER)
        assert prefixed.status_code == 200 and f"href='/t/{a.slug}/reports/map'" in prefixed.text
        # Gzipped for a browser that takes it (slow 3G), plain otherwise.
        zipped = world.client.get("/", headers={**BROWSER, "Host": f"{a.slug}.localhost", "Accept-Encoding": "gzip"})
        assert zipped.headers["content-encoding"] == "gzip" and "Accept-Encoding" in zipped.headers["vary"]
        assert "Chào mừng" in zipped.text
        plain = world.client.get("/", headers={**BROWSER, "Host": f"{a.slug}.localhost", "Accept-Encoding": "identity"})
        assert "content-encoding" not in plain.headers and "Chào mừng" in plain.text
    finally:  # the communes are shared by the session's suites: leave their settings as found
        world.call("PUT", "/api/v1/commune/settings", a, admin, json={k: before[k] for k in keep})


def test_reports_list_detail_and_offline_map_show_accepted_reports_only(world: World) -> None:
    a = world.a
    seeded = _seed(world)
    listed = page(world, a, "/reports")
    body = text(listed)
    assert f"Đèn hỏng {seeded['marker']}" in body and f"Chưa duyệt {seeded['marker']}" not in body
    assert "Đã tiếp nhận" in body and "accepted" not in body
    detail = text(page(world, a, f"/reports/{seeded['accepted']}"))
    assert "Thôn An Bình" in detail and f"Đèn hỏng {seeded['marker']}" in detail
    page(world, a, f"/reports/{seeded['fresh']}", status=404)
    raw = world.call("GET", "/reports/map", a, headers=BROWSER).text
    assert "<svg" in raw and "tile" not in raw.lower() and "<script" not in raw
    assert f"/reports/{seeded['accepted']}'" in raw and f"/reports/{seeded['fresh']}'" not in raw
    assert "Reports on the map" in text(page(world, a, "/reports/map", params={"lang": "en"}))


def test_a_visitor_books_a_listing_with_contact_details_only(world: World) -> None:
    a, b = world.a, world.b
    seeded = _seed(world)
    listing_id = seeded["listing"]
    listed = text(page(world, a, "/listings"))
    assert f"Homestay {seeded['marker']}" in listed and "450.000 đ /đêm" in listed
    detail = page(world, a, f"/listings/{listing_id}")
    assert "f-name" in detail.ids and "f-phone" in detail.ids and "0912 345 678" in text(detail)
    # Wrong phone: the form comes back with the error beside the field and what was typed.
    bad = world.call(
        "POST",
        f"/listings/{listing_id}",
        a,
        headers=BROWSER,
        data={"name": "Anna", "phone": "12", "quantity": "2", "starts_on": "24/12/2026"},
    )
    assert bad.status_code == 422 and "Số điện thoại chưa đúng" in bad.text and "value='Anna'" in bad.text
    phone = "09" + str(datetime.now(UTC).microsecond).zfill(8)[:8]
    ok = world.call(
        "POST",
        f"/listings/{listing_id}",
        a,
        headers=BROWSER,
        data={
            "name": "Anna Schmidt",
            "phone": f"{phone[:4]} {phone[4:7]} {phone[7:]}",
            "quantity": "2",
            "starts_on": "24/12/2026",
            "note": "Hai người lớn",
        },
    )
    assert ok.status_code == 201, ok.text[:800]
    assert "Đã gửi yêu cầu số" in ok.text
    request_id = int(re.search(r"yêu cầu số (\d+)", ok.text)[1])  # type: ignore[index]
    with tenant_transaction(a) as db:
        row = db.scalar(select(ListingRequest).where(ListingRequest.id == request_id))
        assert row is not None and row.listing_id == listing_id and row.name == "Anna Schmidt"
        assert row.phone == "+84" + phone[1:] and str(row.starts_on) == "2026-12-24" and row.note == "Hai người lớn"
    # The listings' rate limit applies (5 an hour per phone).
    statuses = [
        world.call(
            "POST", f"/listings/{listing_id}", a, headers=BROWSER, data={"name": "Anna", "phone": phone}
        ).status_code
        for _ in range(5)
    ]
    assert statuses[-1] == 429 and statuses.count(201) == 4
    assert (
        "quá nhiều yêu cầu"
        in world.call("POST", f"/listings/{listing_id}", a, headers=BROWSER, data={"name": "Anna", "phone": phone}).text
    )
    # English form; the other commune has no such listing (its own ids).
    en = text(page(world, a, f"/listings/{listing_id}", params={"lang": "en"}))
    assert "Your name" in en and "Send request" in en
    assert f"Homestay {seeded['marker']}" not in text(page(world, b, "/listings"))


def test_library_contacts_and_not_found(world: World) -> None:
    a = world.a
    admin = world.person(a, "commune_admin")
    body = {"kind": "hotline", "name": "Trạm y tế xã", "phone": "0233 3861 115", "hours": "24/7"}
    assert world.call("POST", "/api/v1/contacts", a, admin, json=body).status_code == 201
    contacts = page(world, a, "/contacts")
    assert "Trạm y tế xã" in text(contacts) and "tel:02333861115" in contacts.links
    library = page(world, a, "/library", params={"q": "quyet dinh"})
    assert "library" in " ".join(library.links) or "Không có văn bản phù hợp." in text(library)
    missing = page(world, a, "/reports/987654321", status=404)
    assert "Không tìm thấy trang" in text(missing)
