"""Field reports through the real app on real PostgreSQL, in both communes."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text
from testsupport.commune_world import PDF, World, png, unique

from smartcommune.platform.files.service import PHOTO
from smartcommune.platform.reports.service import REPORTS_PER_HOUR
from smartcommune.platform.reports.tasks import escalate_commune
from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.database import owner_engine, quote_ident


def _category(world: World, tenant: TenantInfo, *, sla_hours: int = 48) -> dict[str, Any]:
    admin = world.person(tenant, "commune_admin")
    body = {"code": unique("den-duong"), "name": "<b>Đèn</b> đường", "sla_hours": sla_hours, "group_name": "Hạ tầng"}
    response = world.call("POST", "/api/v1/report-categories", tenant, admin, json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def _submit(world: World, tenant: TenantInfo, who: Any, cat: int, **extra: Any) -> Any:
    data = {
        "category_id": str(cat),
        "description": "Đèn đường <script>alert(1)</script>hỏng",
        "lat": "16.79",
        "lng": "107.01",
    }
    files = extra.pop("files", None)
    data.update(extra)
    return world.call("POST", "/api/v1/reports", tenant, who, data=data, files=files)


def _inbox(world: World, tenant: TenantInfo, who: Any) -> list[dict[str, Any]]:
    response = world.call("GET", "/api/v1/inbox", tenant, who)
    assert response.status_code == 200
    return list(response.json()["items"])


def _count(tenant: TenantInfo, table: str) -> int:
    with owner_engine().connect() as conn:
        return int(conn.execute(text(f"SELECT count(*) FROM {quote_ident(tenant.schema_name)}.{table}")).scalar_one())


@pytest.mark.parametrize("which", ["a", "b"])
def test_report_lifecycle(world: World, which: str) -> None:
    tenant = world.a if which == "a" else world.b
    other = world.b if which == "a" else world.a
    category = _category(world, tenant)
    assert category["name"] == "Đèn đường"  # HTML stripped
    public = world.call("GET", "/api/v1/public/report-categories", tenant).json()
    assert category["code"] in {c["code"] for c in public}
    assert category["code"] not in {
        c["code"] for c in world.call("GET", "/api/v1/public/report-categories", other).json()
    }

    resident = world.person(tenant, "resident")
    official = world.person(tenant, "commune_official")
    before_official = len(_inbox(world, tenant, official))
    photos = [("a.jpg", png((16, 16), exif_gps=True), "image/jpeg"), ("b.png", png(), "image/png")]
    response = _submit(
        world, tenant, resident, category["id"], files=[("photos", p) for p in photos], reporter_name="Lê Văn C"
    )
    assert response.status_code == 201, response.text
    report = response.json()
    assert report["status"] == "new" and len(report["photos"]) == 2
    assert report["description"] == "Đèn đường hỏng"
    assert not report["overdue"]
    # The responsible role hears of it; EXIF is gone from the stored photo.
    assert len(_inbox(world, tenant, official)) == before_official + 1
    photo = world.call("GET", f"/api/v1/reports/{report['id']}/photos/{report['photos'][0]['id']}", tenant, resident)
    assert photo.status_code == 200 and photo.headers["content-type"] == "image/jpeg"
    assert b"CameraMaker" not in photo.content

    # Ownership: another resident neither sees it nor comments on it.
    stranger = _fresh_resident(tenant)
    assert world.call("GET", f"/api/v1/reports/{report['id']}", tenant, stranger).status_code == 404
    assert report["id"] not in {r["id"] for r in world.call("GET", "/api/v1/reports", tenant, stranger).json()}
    assert report["id"] in {r["id"] for r in world.call("GET", "/api/v1/reports", tenant, resident).json()}

    # Role rules of the workflow.
    head = world.person(tenant, "village_head")
    rid = report["id"]
    move = lambda who, body: world.call("POST", f"/api/v1/triage/reports/{rid}/transition", tenant, who, json=body)  # noqa: E731
    assert move(official, {"to": "closed"}).status_code == 409
    refused = move(head, {"to": "rejected", "note": "không thuộc thẩm quyền"})
    assert refused.status_code == 403
    assert move(official, {"to": "rejected"}).json()["error"]["code"] == "note_required"
    seen = len(_inbox(world, tenant, resident))
    assert move(head, {"to": "accepted", "note": "Đã nhận"}).status_code == 200
    inbox = _inbox(world, tenant, resident)
    assert len(inbox) == seen + 1 and inbox[0]["kind"] == "report_status" and inbox[0]["data"]["status"] == "accepted"

    # Replies reach the reporter, internal notes do not.
    assert (
        world.call(
            "POST", f"/api/v1/triage/reports/{rid}/replies", tenant, official, json={"body": "Đã cử thợ"}
        ).status_code
        == 201
    )
    assert (
        world.call("POST", f"/api/v1/triage/reports/{rid}/notes", tenant, official, json={"body": "Bí mật"}).status_code
        == 201
    )
    mine = world.call("GET", f"/api/v1/reports/{rid}", tenant, resident).json()
    bodies = [e["body"] for e in mine["events"]]
    assert "Đã cử thợ" in bodies and "Bí mật" not in bodies
    triaged = world.call("GET", f"/api/v1/triage/reports/{rid}", tenant, official).json()
    assert "Bí mật" in [e["body"] for e in triaged["events"]]
    assert (
        world.call("POST", f"/api/v1/reports/{rid}/comments", tenant, resident, json={"body": "Cảm ơn"}).status_code
        == 201
    )
    assert (
        world.call(
            "POST", f"/api/v1/triage/reports/{rid}/assign", tenant, official, json={"assignee": official.subject}
        ).json()["assignee"]
        == official.subject
    )

    # Rating only after resolution, once, by the reporter.
    assert world.call("POST", f"/api/v1/reports/{rid}/rating", tenant, resident, json={"rating": 5}).status_code == 409
    assert move(official, {"to": "in_progress"}).status_code == 200
    resolved = move(official, {"to": "resolved", "note": "Đã thay bóng đèn"})
    assert resolved.status_code == 200 and resolved.json()["resolved_at"]
    assert world.call("POST", f"/api/v1/reports/{rid}/rating", tenant, stranger, json={"rating": 1}).status_code == 404
    assert (
        world.call("POST", f"/api/v1/reports/{rid}/rating", tenant, resident, json={"rating": 4}).json()["rating"] == 4
    )
    assert world.call("POST", f"/api/v1/reports/{rid}/rating", tenant, resident, json={"rating": 5}).status_code == 409
    statuses = [e["to_status"] for e in mine["events"] if e["kind"] == "status"]
    assert statuses == ["new", "accepted"]

    # Public: listed in its commune only; not in the other's; GeoJSON is [lng, lat].
    listed = world.call("GET", "/api/v1/public/reports", tenant).json()
    entry = next(r for r in listed if r["id"] == rid)
    assert entry["reporter_name"] == "Lê Văn C" and len(entry["photo_ids"]) == 2
    # Ids are per commune (each schema has its own sequence): the other commune is checked by content.
    marker = unique("BiMat")
    world.call("POST", f"/api/v1/triage/reports/{rid}/replies", tenant, official, json={"body": marker})
    for path in ("/api/v1/public/reports", "/api/v1/public/reports/map", f"/api/v1/public/reports/{rid}"):
        answer = world.call("GET", path, other)
        assert "Lê Văn C" not in answer.text and marker not in answer.text
    geo = world.call("GET", "/api/v1/public/reports/map", tenant)
    assert geo.headers["content-type"].startswith("application/geo+json")
    feature = next(f for f in geo.json()["features"] if f["id"] == rid)
    assert feature["geometry"]["coordinates"] == [107.01, 16.79]

    # Moderation: redact text, hide one photo, then hide the report.
    moderator = world.person(tenant, "commune_admin")
    hidden_photo = report["photos"][1]["id"]
    body = {"redacted_description": "[đã ẩn]", "hide_photos": [hidden_photo], "reason": "Lộ thông tin cá nhân"}
    assert world.call("POST", f"/api/v1/triage/reports/{rid}/moderation", tenant, head, json=body).status_code == 403
    assert (
        world.call("POST", f"/api/v1/triage/reports/{rid}/moderation", tenant, moderator, json=body).status_code == 200
    )
    shown = world.call("GET", f"/api/v1/public/reports/{rid}", tenant).json()
    assert shown["description"] == "[đã ẩn]" and shown["photo_ids"] == [report["photos"][0]["id"]]
    assert world.call("GET", f"/api/v1/public/reports/{rid}/photos/{hidden_photo}", tenant).status_code == 404
    assert world.call("GET", f"/api/v1/public/reports/{rid}/photos/{shown['photo_ids'][0]}", tenant).status_code == 200
    assert (
        world.call("GET", f"/api/v1/triage/reports/{rid}", tenant, official).json()["description"] == "Đèn đường hỏng"
    )
    body = {"hidden": True, "reason": "Spam"}
    assert (
        world.call("POST", f"/api/v1/triage/reports/{rid}/moderation", tenant, moderator, json=body).status_code == 200
    )
    assert rid not in {r["id"] for r in world.call("GET", "/api/v1/public/reports", tenant).json()}
    assert rid not in {f["id"] for f in world.call("GET", "/api/v1/public/reports/map", tenant).json()["features"]}
    assert world.call("GET", f"/api/v1/reports/{rid}", tenant, resident).status_code == 200  # still the reporter's


def _fresh_resident(tenant: TenantInfo) -> Any:
    from testsupport.commune_world import new_person

    return new_person(tenant, "resident")


def test_duplicates_link_to_the_original(world: World) -> None:
    tenant = world.b
    category = _category(world, tenant)
    official = world.person(tenant, "commune_official")
    first = _submit(world, tenant, _fresh_resident(tenant), category["id"]).json()
    second = _submit(world, tenant, _fresh_resident(tenant), category["id"]).json()
    third = _submit(world, tenant, _fresh_resident(tenant), category["id"]).json()
    path = "/api/v1/triage/reports/{}/transition"
    assert world.call("POST", path.format(second["id"]), tenant, official, json={"to": "duplicate"}).status_code == 422
    body = {"to": "duplicate", "duplicate_of": first["id"]}
    assert (
        world.call("POST", path.format(second["id"]), tenant, official, json=body).json()["duplicate_of"] == first["id"]
    )
    body = {"to": "duplicate", "duplicate_of": second["id"]}  # a duplicate of a duplicate points at the original
    assert (
        world.call("POST", path.format(third["id"]), tenant, official, json=body).json()["duplicate_of"] == first["id"]
    )
    other_commune = _submit(world, world.a, _fresh_resident(world.a), _category(world, world.a)["id"]).json()
    body = {"to": "duplicate", "duplicate_of": other_commune["id"] + 10_000_000}
    assert world.call("POST", path.format(first["id"]), tenant, official, json=body).status_code == 422


def test_bad_input_is_refused_and_nothing_is_stored(world: World) -> None:
    tenant = world.a
    category = _category(world, tenant)
    resident = _fresh_resident(tenant)
    reports, files = _count(tenant, "reports"), _count(tenant, "files")
    too_big = b"\xff\xd8\xff" + b"0" * PHOTO.max_bytes
    cases = [
        (dict(files=[("photos", ("big.jpg", too_big, "image/jpeg"))]), 413, "file_too_large"),
        (dict(files=[("photos", ("x.jpg", PDF, "image/jpeg"))]), 415, "unsupported_media_type"),
        (dict(files=[("photos", (f"{i}.png", png(), "image/png")) for i in range(6)]), 422, "too_many_photos"),
        (dict(lat="", lng=""), 422, "location_required"),
        (dict(category_id="999999999"), 422, "unknown_category"),
        (dict(description="<p></p>" + "x" * 5000), 422, "invalid_input"),
    ]
    for extra, status, code in cases:
        response = _submit(world, tenant, resident, category["id"], **extra)
        assert response.status_code == status, (code, response.text)
        assert response.json()["error"]["code"] == code
    assert (_count(tenant, "reports"), _count(tenant, "files")) == (reports, files)
    # An address code instead of a point is a location.
    assert (
        _submit(world, tenant, resident, category["id"], lat="", lng="", address_code="7MQ4+X2 CL-12").status_code
        == 201
    )


def test_rate_limit_per_resident_counted_in_sql(world: World) -> None:
    tenant = world.b
    category = _category(world, tenant)
    resident = _fresh_resident(tenant)
    for _ in range(REPORTS_PER_HOUR):
        assert _submit(world, tenant, resident, category["id"]).status_code == 201
    refused = _submit(world, tenant, resident, category["id"])
    assert refused.status_code == 429 and refused.json()["error"]["code"] == "rate_limited"
    # Another resident is not affected.
    assert _submit(world, tenant, _fresh_resident(tenant), category["id"]).status_code == 201


def test_sla_escalation_notifies_the_commune_admin_once(world: World) -> None:
    tenant, other = world.a, world.b
    category = _category(world, tenant, sla_hours=1)
    report = _submit(world, tenant, _fresh_resident(tenant), category["id"]).json()
    fresh = _submit(world, tenant, _fresh_resident(tenant), category["id"]).json()
    admin = world.person(tenant, "commune_admin")
    other_admin = world.person(other, "commune_admin")
    with owner_engine().begin() as conn:
        conn.execute(
            text(
                f"UPDATE {quote_ident(tenant.schema_name)}.reports SET sla_due_at = now() - interval '1 minute' "
                "WHERE id = :i"
            ),
            {"i": report["id"]},
        )
    before_other = len(_inbox(world, other, other_admin))
    escalated = escalate_commune(tenant)
    assert report["id"] in escalated and fresh["id"] not in escalated
    overdue_items = [i for i in _inbox(world, tenant, admin) if i["kind"] == "report_overdue"]
    assert str(report["id"]) in {i["source_id"] for i in overdue_items}
    assert report["id"] not in escalate_commune(tenant)  # once
    assert len(_inbox(world, other, other_admin)) == before_other
    official = world.person(tenant, "commune_official")
    listed = world.call("GET", "/api/v1/triage/reports", tenant, official, params={"overdue": "true"}).json()
    assert report["id"] in {r["id"] for r in listed} and fresh["id"] not in {r["id"] for r in listed}
    assert next(r for r in listed if r["id"] == report["id"])["overdue"] is True


def test_public_statistics(world: World) -> None:
    tenant = world.b
    category = _category(world, tenant, sla_hours=24)
    official = world.person(tenant, "commune_official")
    before = world.call("GET", "/api/v1/public/reports/stats", tenant).json()
    made = [_submit(world, tenant, _fresh_resident(tenant), category["id"]).json() for _ in range(3)]
    for report in made[:2]:
        for to in ("accepted", "resolved"):
            body = {"to": to}
            assert (
                world.call(
                    "POST", f"/api/v1/triage/reports/{report['id']}/transition", tenant, official, json=body
                ).status_code
                == 200
            )
    after = world.call("GET", "/api/v1/public/reports/stats", tenant).json()
    assert after["total"] == before["total"] + 3 == sum(after["by_status"].values())
    assert after["resolved"] == before["resolved"] + 2
    assert after["by_category"][category["code"]] == 3
    assert after["median_resolution_hours"] is not None and after["median_resolution_hours"] >= 0
    assert 0 < after["resolved_within_sla_share"] <= 1
    other = world.call("GET", "/api/v1/public/reports/stats", world.a).json()
    assert category["code"] not in other["by_category"]


def test_a_resend_with_the_same_client_ref_returns_the_same_report(world: World) -> None:
    """A phone that lost the answer resends its queued report: one report, one photo, one notice."""
    import uuid

    tenant, other = world.a, world.b
    category = _category(world, tenant)
    resident = _fresh_resident(tenant)
    ref = str(uuid.uuid4())
    photo = [("photos", ("a.png", png(), "image/png"))]
    first = _submit(world, tenant, resident, category["id"], client_ref=ref, files=photo)
    assert first.status_code == 201, first.text
    reports, photos = _count(tenant, "reports"), _count(tenant, "report_photos")
    again = _submit(world, tenant, resident, category["id"], client_ref=ref, files=photo)
    assert again.status_code == 200, again.text
    assert again.json()["id"] == first.json()["id"] and len(again.json()["photos"]) == 1
    assert (_count(tenant, "reports"), _count(tenant, "report_photos")) == (reports, photos)
    # The reference is the reporter's own: another resident, or the same reference in commune B, is a new report.
    assert _submit(world, tenant, _fresh_resident(tenant), category["id"], client_ref=ref).status_code == 201
    other_category = _category(world, other)
    assert _submit(world, other, _fresh_resident(other), other_category["id"], client_ref=ref).status_code == 201
    bad = _submit(world, tenant, resident, category["id"], client_ref="not-a-uuid")
    assert bad.status_code == 422


def test_triage_names_the_reporter_and_assigns_only_staff(world: World) -> None:
    """Bug: the detail showed the reporter as "—" (no name given on the form) and the assignee was free text:
    anything was accepted, and nobody got the inbox item when it was not an account subject."""
    tenant = world.a
    category = _category(world, tenant)
    resident, official = world.person(tenant, "resident"), world.person(tenant, "commune_official")
    rid = _submit(world, tenant, resident, category["id"]).json()["id"]
    detail = world.call("GET", f"/api/v1/triage/reports/{rid}", tenant, official).json()
    assert detail["reporter_display"] == resident.username  # the account's display name (no resident record)

    staff = world.call("GET", "/api/v1/triage/staff", tenant, official)
    assert staff.status_code == 200
    ids = {s["id"]: s for s in staff.json()}
    assert official.subject in ids and resident.subject not in ids
    assert ids[official.subject]["display_name"] == official.username
    assert world.call("GET", "/api/v1/triage/staff", tenant, resident).status_code == 403

    bad = world.call("POST", f"/api/v1/triage/reports/{rid}/assign", tenant, official, json={"assignee": "ai-do"})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "unknown_assignee"
    other = world.person(world.b, "commune_official")
    assert (
        world.call(
            "POST", f"/api/v1/triage/reports/{rid}/assign", tenant, official, json={"assignee": other.subject}
        ).status_code
        == 422
    )
    ok = world.call(
        "POST", f"/api/v1/triage/reports/{rid}/assign", tenant, official, json={"assignee": official.subject}
    )
    assert ok.status_code == 200 and ok.json()["assignee_name"] == official.username
