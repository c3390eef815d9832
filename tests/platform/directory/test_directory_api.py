"""Contacts and the library (full-text search that ignores Vietnamese diacritics), in both communes."""

from __future__ import annotations

from sqlalchemy import text
from testsupport.commune_world import PDF, World, unique

from smartcommune.tenants.bootstrap import _vietnamese_translate_table
from smartcommune.tenants.database import owner_engine


def test_contacts(world: World) -> None:
    a, b = world.a, world.b
    admin = world.person(a, "commune_admin")
    body = {"kind": "hotline", "name": "Trạm y tế <b>xã</b>", "phone": "0233 3861 115", "hours": "24/7"}
    created = world.call("POST", "/api/v1/contacts", a, admin, json=body)
    assert created.status_code == 201 and created.json()["name"] == "Trạm y tế xã"
    cid = created.json()["id"]
    assert cid in {c["id"] for c in world.call("GET", "/api/v1/public/contacts", a, params={"kind": "hotline"}).json()}
    assert "Trạm y tế xã" not in world.call("GET", "/api/v1/public/contacts", b).text
    resident = world.person(a, "resident")
    assert world.call("POST", "/api/v1/contacts", a, resident, json=body).status_code == 403
    assert world.call("PATCH", f"/api/v1/contacts/{cid}", a, admin, json={"phone": "<script>"}).status_code == 422
    assert world.call("DELETE", f"/api/v1/contacts/{cid}", a, admin).status_code == 204
    assert cid not in {c["id"] for c in world.call("GET", "/api/v1/public/contacts", a).json()}


def test_library_search_ignores_diacritics(world: World) -> None:
    a, b = world.a, world.b
    official = world.person(a, "commune_official")
    category = world.call(
        "POST", "/api/v1/library/categories", a, official, json={"code": unique("qd"), "name": "Quyết định"}
    ).json()
    marker = unique("bao").replace("-", "")
    titles = [f"Quyết định phòng chống lụt bão {marker}", f"Kế hoạch tiêm chủng mở rộng {marker}"]
    ids = []
    for title in titles:
        data = {
            "category_id": str(category["id"]),
            "title": title,
            "doc_number": "12/QĐ-UBND",
            "summary": "Ủy ban nhân dân xã ban hành",
            "issued_on": "2026-10-01",
        }
        response = world.call(
            "POST", "/api/v1/library", a, official, data=data, files={"file": ("qd.pdf", PDF, "application/pdf")}
        )
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])

    def search(q: str, tenant=a) -> list[int]:  # type: ignore[no-untyped-def]
        response = world.call("GET", "/api/v1/public/library", tenant, params={"q": q})
        assert response.status_code == 200
        return [d["id"] for d in response.json()]

    for q in (f"quyet dinh lut bao {marker}", f"Quyết định lụt bão {marker}", f"QUYET {marker}", f"lut {marker}"):
        assert search(q) == [ids[0]], q
    assert search(f"tiem chung {marker}") == [ids[1]]
    assert sorted(search(f"uy ban {marker}")) == sorted(ids)
    assert search(f"quyet {marker}", tenant=b) == []
    assert search("<script>&|!:*") is not None  # operators are not passed to to_tsquery
    got = world.call("GET", f"/api/v1/public/library/{ids[0]}/file", a)
    assert got.status_code == 200 and got.content == PDF
    assert world.call("GET", f"/api/v1/public/library/{ids[0]}/file", b).status_code == 404
    assert world.call("DELETE", f"/api/v1/library/{ids[0]}", a, official).status_code == 204
    assert search(f"lut bao {marker}") == []
    too_big = {"file": ("big.pdf", b"%PDF-" + b"0" * (20 * 1024 * 1024), "application/pdf")}
    data = {"category_id": str(category["id"]), "title": "Quá lớn"}
    assert world.call("POST", "/api/v1/library", a, official, data=data, files=too_big).status_code == 413
    exe = {"file": ("x.pdf", b"MZ\x90\x00", "application/pdf")}
    assert world.call("POST", "/api/v1/library", a, official, data=data, files=exe).status_code == 415


def test_folding_function_matches_unaccent_for_vietnamese() -> None:
    """The translate() fallback (pgserver has no unaccent) folds Vietnamese exactly as unaccent does."""
    source, target = _vietnamese_translate_table()
    sample = "Đường Lê Lợi, Ủy ban nhân dân xã Cam Lộ: quyết định ổn định giá lúa gạo, Hậu Lộc, Thừa Thiên Huế"
    with owner_engine().connect() as conn:
        installed = conn.execute(text("SELECT extensions.f_unaccent(:s)"), {"s": sample}).scalar_one()
        fallback = conn.execute(
            text("SELECT translate(normalize(:s, NFC), :a, :b)"), {"s": sample + source, "a": source, "b": target}
        ).scalar_one()
        has_unaccent = conn.execute(text("SELECT 1 FROM pg_extension WHERE extname = 'unaccent'")).first()
        if has_unaccent:
            reference = conn.execute(text("SELECT extensions.unaccent(:s)"), {"s": sample + source}).scalar_one()
            assert fallback == reference
    assert (
        installed == "Duong Le Loi, Uy ban nhan dan xa Cam Lo: quyet dinh on dinh gia lua gao, Hau Loc, Thua Thien Hue"
    )
    assert fallback.startswith(installed)
