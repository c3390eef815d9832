"""The public map is paged (newest first, `next_before_id`), narrows to a bounding box, never shows hidden
reports or the reporter of an anonymous one, and the public list carries only visible photo ids. A new report is
public only once accepted, unless the commune publishes at once (`reports_public_after`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from testsupport.commune_world import World, unique

from smartcommune.platform.reports.models import Report, ReportCategory
from smartcommune.tenants.session import tenant_transaction


def _seed(world: World, status: str = "accepted") -> tuple[str, list[int]]:
    code = unique("map")[:40]
    with tenant_transaction(world.a) as db:
        category = ReportCategory(code=code, name="Ngập úng", sla_hours=24, responsible_role="commune_official")
        db.add(category)
        db.flush()
        ids = []
        for i in range(5):
            r = Report(
                category_id=category.id,
                description=f"Ngập đường số {i} " + "x" * 400,
                status=status,
                source="app",
                anonymous=i == 1,
                reporter_name="Lê Thị D",
                lat=16.70 + i / 100,
                lng=107.00 + i / 100,
                hidden=i == 2,
                sla_due_at=datetime.now(UTC) + (timedelta(hours=-1) if i == 3 else timedelta(days=1)),
            )
            db.add(r)
            db.flush()
            ids.append(r.id)
        assert db.scalar(select(Report.id).where(Report.id == ids[0])) == ids[0]
    return code, ids


def test_public_map_pages_and_bbox(world: World) -> None:
    code, ids = _seed(world)
    visible = [i for n, i in enumerate(ids) if n != 2]
    seen: list[int] = []
    before: int | None = None
    while True:
        params: dict[str, str | int] = {"category": code, "limit": 2}
        if before is not None:
            params["before_id"] = before
        page = world.call("GET", "/api/v1/public/reports/map", world.a, params=params)
        assert page.status_code == 200 and page.headers["content-type"].startswith("application/geo+json")
        body = page.json()
        assert len(body["features"]) <= 2
        seen += [f["id"] for f in body["features"]]
        before = body["next_before_id"]
        if before is None:
            break
    assert seen == sorted(visible, reverse=True)  # newest first, every visible one once, the hidden one never
    last = {f["id"]: f for f in body["features"]}
    assert len(last[ids[0]]["properties"]["description"]) == 280  # a marker's popup, not the whole text
    boxed = world.call(
        "GET", "/api/v1/public/reports/map", world.a, params={"category": code, "bbox": "107.025,16.725,107.05,16.75"}
    ).json()
    assert [f["id"] for f in boxed["features"]] == [ids[4], ids[3]]
    assert next(f for f in boxed["features"] if f["id"] == ids[3])["properties"]["overdue"] is True
    bad = world.call("GET", "/api/v1/public/reports/map", world.a, params={"bbox": "108,16,107,17"})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_bbox"
    # The list: the anonymous reporter's name is never shown; the single-report view agrees with the list.
    listed = {
        r["id"]: r for r in world.call("GET", "/api/v1/public/reports", world.a, params={"category": code}).json()
    }
    assert set(listed) == set(visible)
    assert listed[ids[1]]["reporter_name"] is None and listed[ids[0]]["reporter_name"] == "Lê Thị D"
    assert listed[ids[3]]["overdue"] is True and listed[ids[0]]["photo_ids"] == []
    single = world.call("GET", f"/api/v1/public/reports/{ids[0]}", world.a).json()
    assert single == listed[ids[0]]
    assert world.call("GET", f"/api/v1/public/reports/{ids[2]}", world.a).status_code == 404


def _set_public_after(world: World, value: str) -> None:
    admin = world.person(world.a, "commune_admin")
    current = world.call("GET", "/api/v1/commune/settings", world.a, admin).json()
    keep = ("display_name", "primary_color", "contact_phone", "contact_email", "address", "office_hours")
    body = {k: current[k] for k in keep} | {"reports_public_after": value}
    saved = world.call("PUT", "/api/v1/commune/settings", world.a, admin, json=body)
    assert saved.status_code == 200 and saved.json()["reports_public_after"] == value


def test_a_new_report_is_public_only_after_acceptance_by_default(world: World) -> None:
    """Issue 15: a new, unmoderated report was public at once (list, map, single view, Open311)."""
    admin = world.person(world.a, "commune_admin")
    assert world.call("GET", "/api/v1/commune/settings", world.a, admin).json()["reports_public_after"] == "accepted"
    code, ids = _seed(world, status="new")
    visible = [i for n, i in enumerate(ids) if n != 2]

    def public_ids() -> dict[str, set[int]]:
        listed = world.call("GET", "/api/v1/public/reports", world.a, params={"category": code}).json()
        mapped = world.call("GET", "/api/v1/public/reports/map", world.a, params={"category": code}).json()
        o311 = world.client.get(f"/t/{world.a.slug}/open311/v2/requests.json", params={"service_code": code}).json()
        return {
            "list": {r["id"] for r in listed},
            "map": {f["id"] for f in mapped["features"]},
            "open311": {int(r["service_request_id"]) for r in o311},
            "single": {i for i in ids if world.call("GET", f"/api/v1/public/reports/{i}", world.a).status_code == 200},
        }

    assert public_ids() == {"list": set(), "map": set(), "open311": set(), "single": set()}
    official = world.person(world.a, "commune_official")
    path = f"/api/v1/triage/reports/{ids[0]}/transition"
    assert world.call("POST", path, world.a, official, json={"to": "accepted"}).status_code == 200
    assert set(map(frozenset, public_ids().values())) == {frozenset({ids[0]})}
    # A commune that wants openness at once says so; a value other than the two is refused.
    _set_public_after(world, "submitted")
    try:
        assert set(map(frozenset, public_ids().values())) == {frozenset(visible)}
        bad = world.call("PUT", "/api/v1/commune/settings", world.a, admin, json={"reports_public_after": "soon"})
        assert bad.status_code == 422
        # Saving the other settings without naming it keeps it.
        again = world.call("PUT", "/api/v1/commune/settings", world.a, admin, json={"display_name": None})
        assert again.json()["reports_public_after"] == "submitted"
    finally:
        _set_public_after(world, "accepted")
    assert set(map(frozenset, public_ids().values())) == {frozenset({ids[0]})}
