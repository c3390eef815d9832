"""Issue 14: a wrong app address under /t/{slug}/app/... answered the API's raw JSON 404 in the browser."""

from __future__ import annotations

from testsupport.commune_world import World

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def test_a_wrong_app_address_is_a_page_in_vietnamese(world: World) -> None:
    slug = world.a.slug
    response = world.client.get(f"/t/{slug}/app/resident/khong-co/trang-nay", headers=BROWSER)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "<html lang='vi'>" in response.text and "Không tìm thấy trang" in response.text
    assert f"href='/t/{slug}/app/resident/'" in response.text
    assert "Page not found" not in response.text and '"error"' not in response.text


def test_english_on_request_and_json_for_programs(world: World) -> None:
    slug = world.a.slug
    en = world.client.get(f"/t/{slug}/app/admin/nope?lang=en", headers=BROWSER)
    assert en.status_code == 404 and "Page not found" in en.text and f"/t/{slug}/app/admin/" in en.text
    assert "Không tìm thấy" not in en.text
    english_browser = world.client.get("/app/resident/nope", headers={**BROWSER, "Accept-Language": "en-GB,en"})
    assert "Page not found" in english_browser.text
    # A program (no text/html in Accept) and the API keep the JSON error shape.
    assert world.client.get(f"/t/{slug}/app/resident/nope").json()["error"]["code"] == "not_found"
    api = world.client.get(f"/t/{slug}/api/v1/khong-co", headers=BROWSER)
    assert api.status_code == 404 and api.json()["error"]["code"] == "not_found"
