"""Commune settings and branding through the real app, in both communes: who may change them, validation,
the logo through the files helpers, the audit trail, and the public branding."""

from __future__ import annotations

from sqlalchemy import func, select
from testsupport.commune_world import World, png

from smartcommune.tenants.audit import AuditEntry
from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.session import tenant_transaction

SETTINGS = "/api/v1/commune/settings"
GOOD = {
    "display_name": "UBND xã <b>Cam Lộ</b>",
    "primary_color": "#0B4F8A",
    "contact_phone": "0233 3861 115",
    "contact_email": "ubnd@camlo.gov.vn",
    "address": "Khu phố 3, xã Cam Lộ, tỉnh Quảng Trị",
    "office_hours": "Thứ 2 – Thứ 6: 7:30–11:30, 13:30–17:00\nThứ 7: 7:30–11:30",
}


def _audits(tenant: TenantInfo) -> int:
    with tenant_transaction(tenant) as db:
        return int(db.scalar(select(func.count()).where(AuditEntry.object_type == "commune_settings")) or 0)


def test_admin_saves_settings_in_own_commune_only(world: World) -> None:
    a, b = world.a, world.b
    admin_a = world.person(a, "commune_admin")
    before_b = world.call("GET", "/api/v1/public/commune/branding", b).json()
    audits_a, audits_b = _audits(a), _audits(b)

    saved = world.call("PUT", SETTINGS, a, admin_a, json=GOOD)
    assert saved.status_code == 200, saved.text
    body = saved.json()
    assert body["display_name"] == body["name"] == "UBND xã Cam Lộ"  # HTML stripped
    assert body["primary_color"] == "#0b4f8a"
    assert body["official_name"] == a.name
    assert body["office_hours"].endswith("Thứ 7: 7:30–11:30")
    assert body["updated_by"] and body["has_logo"] is False and body["logo_url"] is None
    assert _audits(a) == audits_a + 1 and _audits(b) == audits_b

    public_a = world.call("GET", "/api/v1/public/commune/branding", a).json()
    assert public_a["name"] == "UBND xã Cam Lộ" and public_a["contact_email"] == "ubnd@camlo.gov.vn"
    # Commune B is untouched (other suites may have branded it before: compare with what it had).
    assert world.call("GET", "/api/v1/public/commune/branding", b).json() == before_b

    # A's admin token is refused in commune B; B's settings read as B's.
    foreign = world.call("PUT", SETTINGS, b, admin_a, json=GOOD)
    assert foreign.status_code == 401
    admin_b = world.call("GET", SETTINGS, b, world.person(b, "commune_admin")).json()
    assert admin_b["name"] == before_b["name"] != "UBND xã Cam Lộ"

    # Clearing a field falls back to the default.
    cleared = world.call("PUT", SETTINGS, a, admin_a, json={**GOOD, "display_name": "  ", "primary_color": None})
    assert cleared.json()["name"] == a.name and cleared.json()["primary_color"] is None


def test_only_commune_admins_change_settings(world: World) -> None:
    a = world.a
    for role in ("commune_official", "village_head", "resident"):
        who = world.person(a, role)
        response = world.call("PUT", SETTINGS, a, who, json=GOOD)
        assert response.status_code == 403, (role, response.text)
        assert response.json()["error"]["code"] == "forbidden"
        assert (
            world.call("POST", f"{SETTINGS}/logo", a, who, files={"file": ("l.png", png(), "image/png")}).status_code
            == 403
        )
    # Officials read them (they show the office contacts); residents and village heads do not.
    assert world.call("GET", SETTINGS, a, world.person(a, "commune_official")).status_code == 200
    assert world.call("GET", SETTINGS, a, world.person(a, "resident")).status_code == 403
    assert world.call("GET", SETTINGS, a).status_code == 401


def test_bad_input_is_refused_and_changes_nothing(world: World) -> None:
    a = world.a
    admin = world.person(a, "commune_admin")
    assert world.call("PUT", SETTINGS, a, admin, json=GOOD).status_code == 200
    stored = world.call("GET", SETTINGS, a, admin).json()
    audits = _audits(a)
    bad_values = {
        "primary_color": ["red", "#12345", "#GGGGGG"],
        "contact_email": ["ubnd-at-camlo", "a@b"],
        "contact_phone": ["<script>", "12"],
        "display_name": ["x" * 201],
    }
    for field, values in bad_values.items():
        for value in values:
            response = world.call("PUT", SETTINGS, a, admin, json={**GOOD, field: value})
            assert response.status_code == 422, (field, value, response.text)
    light = world.call("PUT", SETTINGS, a, admin, json={**GOOD, "primary_color": "#f5f5a0"})
    assert light.status_code == 422
    error = light.json()["error"]
    assert error["code"] == "color_low_contrast" and error["details"]["field"] == "primary_color"
    assert error["message"].startswith("Màu")
    assert world.call("GET", SETTINGS, a, admin).json() == stored
    assert _audits(a) == audits


def test_logo_upload_serve_and_remove(world: World) -> None:
    a, b = world.a, world.b
    admin = world.person(a, "commune_admin")
    audits = _audits(a)
    uploaded = world.call(
        "POST", f"{SETTINGS}/logo", a, admin, files={"file": ("logo.png", png((64, 64)), "image/png")}
    )
    assert uploaded.status_code == 200, uploaded.text
    body = uploaded.json()
    assert body["has_logo"] is True and body["logo_url"].startswith("/api/v1/public/commune/logo?v=")
    assert _audits(a) == audits + 1

    served = world.call("GET", body["logo_url"], a)
    assert served.status_code == 200 and served.headers["content-type"] == "image/png"
    assert served.headers["x-content-type-options"] == "nosniff"
    assert served.content.startswith(b"\x89PNG")
    assert world.call("GET", "/api/v1/public/commune/branding", a).json()["logo_url"] == body["logo_url"]
    # Commune B has no logo of its own, and A's is not reachable through B's address.
    missing = world.call("GET", "/api/v1/public/commune/logo", b)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "logo_not_found"

    exe = world.call("POST", f"{SETTINGS}/logo", a, admin, files={"file": ("logo.png", b"MZ\x90\x00", "image/png")})
    assert exe.status_code == 415
    pdf = world.call("POST", f"{SETTINGS}/logo", a, admin, files={"file": ("l.pdf", b"%PDF-1.4\n", "application/pdf")})
    assert pdf.status_code == 415
    big = world.call(
        "POST",
        f"{SETTINGS}/logo",
        a,
        admin,
        files={"file": ("l.png", b"\x89PNG" + b"0" * (2 * 1024 * 1024), "image/png")},
    )
    assert big.status_code == 413
    assert (
        world.call("GET", SETTINGS, a, admin).json()["logo_url"] == body["logo_url"]
    )  # refused uploads change nothing
    assert _audits(a) == audits + 1

    removed = world.call("DELETE", f"{SETTINGS}/logo", a, admin)
    assert removed.status_code == 200 and removed.json()["has_logo"] is False
    assert world.call("GET", "/api/v1/public/commune/logo", a).status_code == 404
    assert _audits(a) == audits + 2
