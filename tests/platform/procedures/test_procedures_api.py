"""Procedures and applications through the real app, in both communes."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from testsupport.commune_world import PDF, World, new_person, unique

from smartcommune.platform.procedures.service import APPLICATIONS_PER_HOUR
from smartcommune.platform.procedures.workdays import add_working_days
from smartcommune.tenants.context import TenantInfo


def _procedure(world: World, tenant: TenantInfo, **extra: Any) -> dict[str, Any]:
    body = {
        "code": unique("khai-sinh"),
        "name": "Đăng ký <i>khai sinh</i>",
        "field": "Hộ tịch",
        "required_documents": ["Giấy chứng sinh", "CCCD của cha hoặc mẹ"],
        "fee_vnd": 0,
        "processing_days": 3,
        "legal_basis": "Luật Hộ tịch 2014",
        "mode": "online",
        **extra,
    }
    response = world.call("POST", "/api/v1/procedures", tenant, world.person(tenant, "commune_official"), json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def _apply(world: World, tenant: TenantInfo, who: Any, procedure_id: int, files: Any = None) -> Any:
    data = {
        "procedure_id": str(procedure_id),
        "applicant_name": "Phạm Thị D",
        "applicant_phone": "0912 345 678",
        "details": "Con thứ hai <script>x</script>",
    }
    return world.call("POST", "/api/v1/applications", tenant, who, data=data, files=files)


def test_working_days_skip_weekends_and_holidays() -> None:
    friday = date(2026, 11, 20)
    assert friday.weekday() == 4
    assert add_working_days(friday, 1) == friday + timedelta(days=3)  # Monday
    assert add_working_days(friday, 5) == friday + timedelta(days=7)
    assert add_working_days(friday, 0) == friday
    assert add_working_days(friday, 1, holidays={friday + timedelta(days=3)}) == friday + timedelta(days=4)


@pytest.mark.parametrize("which", ["a", "b"])
def test_application_flow(world: World, which: str) -> None:
    tenant = world.a if which == "a" else world.b
    other = world.b if which == "a" else world.a
    procedure = _procedure(world, tenant)
    assert procedure["name"] == "Đăng ký khai sinh"
    public = world.call("GET", "/api/v1/public/procedures", tenant, params={"field": "Hộ tịch"}).json()
    assert procedure["code"] in {p["code"] for p in public}
    assert procedure["code"] not in {p["code"] for p in world.call("GET", "/api/v1/public/procedures", other).json()}
    counters_before = world.call("GET", "/api/v1/public/procedures/counters", tenant).json()

    resident = new_person(tenant, "resident")
    response = _apply(
        world, tenant, resident, procedure["id"], files=[("files", ("giay-chung-sinh.pdf", PDF, "application/pdf"))]
    )
    assert response.status_code == 201, response.text
    app = response.json()
    assert app["status"] == "received" and app["details"] == "Con thứ hai"
    assert date.fromisoformat(app["due_date"]) >= date.fromisoformat(app["submitted_at"][:10]) + timedelta(days=3)
    assert date.fromisoformat(app["due_date"]).weekday() < 5

    stranger = new_person(tenant, "resident")
    assert world.call("GET", f"/api/v1/applications/{app['id']}", tenant, stranger).status_code == 404
    mine = world.call("GET", f"/api/v1/applications/{app['id']}", tenant, resident).json()
    attachment = mine["attachments"][0]
    got = world.call("GET", f"/api/v1/applications/{app['id']}/files/{attachment['id']}", tenant, resident)
    assert got.status_code == 200 and got.content == PDF

    desk = world.person(tenant, "commune_official")
    move = lambda body: world.call(  # noqa: E731
        "POST", f"/api/v1/one-stop/applications/{app['id']}/transition", tenant, desk, json=body
    )
    assert move({"to": "approved"}).status_code == 409
    assert move({"to": "processing"}).status_code == 200
    assert move({"to": "needs_info"}).json()["error"]["code"] == "note_required"
    assert move({"to": "needs_info", "note": "Thiếu bản sao CCCD"}).status_code == 200
    extra = [("files", ("cccd.png", _png(), "image/png"))]
    supplemented = world.call(
        "POST",
        f"/api/v1/applications/{app['id']}/supplement",
        tenant,
        resident,
        data={"note": "Đã bổ sung"},
        files=extra,
    )
    assert supplemented.status_code == 200 and supplemented.json()["status"] == "processing"
    assert move({"to": "approved", "note": "Đủ điều kiện"}).status_code == 200
    assert move({"to": "ready_for_pickup", "note": "Mời nhận tại bộ phận một cửa"}).status_code == 200
    # The last step: the result was handed over (bug: there was no state after "ready for pickup").
    assert move({"to": "delivered", "note": "Đã trao kết quả"}).json()["status"] == "delivered"
    assert move({"to": "processing"}).status_code == 409

    history = world.call("GET", f"/api/v1/applications/{app['id']}", tenant, resident).json()
    assert [h["to_status"] for h in history["history"]] == [
        "received",
        "processing",
        "needs_info",
        "processing",
        "approved",
        "ready_for_pickup",
        "delivered",
    ]
    assert len(history["attachments"]) == 2
    inbox = world.call("GET", "/api/v1/inbox", tenant, resident).json()["items"]
    notes = [i for i in inbox if i["kind"] == "application_status" and i["source_id"] == str(app["id"])]
    # Every official's step reaches the resident; their own supplement does not (bug: it did).
    assert [n["data"]["status"] for n in reversed(notes)] == [
        "received",
        "processing",
        "needs_info",
        "approved",
        "ready_for_pickup",
        "delivered",
    ]
    # The commune's officials hear of the new application and of the supplement, linked to it.
    staff_inbox = world.call("GET", "/api/v1/inbox", tenant, desk).json()["items"]
    mine_only = [i for i in staff_inbox if i["source_id"] == str(app["id"])]
    assert [i["kind"] for i in reversed(mine_only)] == ["application_new", "application_supplemented"]
    assert mine_only[0]["link"] == f"/procedures/applications/{app['id']}"
    assert world.call("GET", "/api/v1/inbox", tenant, stranger).json()["items"] == []

    counters = world.call("GET", "/api/v1/public/procedures/counters", tenant).json()
    assert counters["received"] == counters_before["received"] + 1
    assert counters["decided"] == counters_before["decided"] + 1
    assert counters["decided_on_time"] == counters_before["decided_on_time"] + 1
    assert world.call("GET", "/api/v1/public/procedures/counters", other).json()["received"] >= 0


def _png() -> bytes:
    from testsupport.commune_world import png

    return png()


def test_limits_and_bad_input(world: World) -> None:
    tenant = world.b
    procedure = _procedure(world, tenant)
    in_person = _procedure(world, tenant, mode="in_person")
    resident = new_person(tenant, "resident")
    assert _apply(world, tenant, resident, in_person["id"]).json()["error"]["code"] == "in_person_only"
    bad = [("files", ("x.pdf", b"MZ\x90\x00not a pdf", "application/pdf"))]
    assert _apply(world, tenant, resident, procedure["id"], files=bad).status_code == 415
    assert world.call("GET", "/api/v1/applications", tenant, resident).json() == []  # nothing half-stored
    for _ in range(APPLICATIONS_PER_HOUR):
        assert _apply(world, tenant, resident, procedure["id"]).status_code == 201
    refused = _apply(world, tenant, resident, procedure["id"])
    assert refused.status_code == 429 and refused.json()["error"]["code"] == "rate_limited"
    assert len(world.call("GET", "/api/v1/applications", tenant, resident).json()) == APPLICATIONS_PER_HOUR
    patch = world.call(
        "PATCH",
        f"/api/v1/procedures/{procedure['id']}",
        tenant,
        world.person(tenant, "commune_admin"),
        json={"active": False},
    )
    assert patch.status_code == 200 and patch.json()["active"] is False
    assert procedure["code"] not in {p["code"] for p in world.call("GET", "/api/v1/public/procedures", tenant).json()}


def _resident_record(tenant: TenantInfo, subject: str | None) -> int:
    from smartcommune.platform.residents.models import Resident
    from smartcommune.tenants.session import tenant_transaction

    with tenant_transaction(tenant) as db:
        row = Resident(full_name="Lê Văn C", account_subject=subject, status="verified")
        db.add(row)
        db.flush()
        return row.id


def _has_resident(tenant: TenantInfo, resident_id: int) -> bool:
    from smartcommune.platform.residents.models import Resident
    from smartcommune.tenants.session import tenant_transaction

    with tenant_transaction(tenant) as db:
        return db.get(Resident, resident_id) is not None


@pytest.mark.parametrize("which", ["a", "b"])
def test_counter_and_online_channels(world: World, which: str) -> None:
    tenant = world.a if which == "a" else world.b
    other = world.b if which == "a" else world.a
    desk = world.person(tenant, "commune_official")
    in_person = _procedure(world, tenant, mode="in_person")
    resident = new_person(tenant, "resident")
    record = _resident_record(tenant, resident.subject)
    counters_before = world.call("GET", "/api/v1/public/procedures/counters", tenant).json()

    # A resident's own submission is online, whatever the form says.
    online_proc = _procedure(world, tenant)
    mine = world.call(
        "POST",
        "/api/v1/applications",
        tenant,
        resident,
        data={"procedure_id": str(online_proc["id"]), "applicant_name": "Lê Văn C", "channel": "counter"},
    )
    assert mine.status_code == 201 and mine.json()["channel"] == "online"
    # Residents cannot register at the counter.
    form = {"procedure_id": str(in_person["id"]), "applicant_name": "Lê Văn C", "resident_id": str(record)}
    assert world.call("POST", "/api/v1/one-stop/applications", tenant, resident, data=form).status_code == 403
    # The official registers an in-person procedure for the resident: channel counter, in their app.
    files = [("files", ("don.pdf", PDF, "application/pdf"))]
    counter = world.call("POST", "/api/v1/one-stop/applications", tenant, desk, data=form, files=files)
    assert counter.status_code == 201, counter.text
    assert counter.json()["channel"] == "counter" and counter.json()["status"] == "received"
    theirs = world.call("GET", "/api/v1/applications", tenant, resident).json()
    assert {(x["id"], x["channel"]) for x in theirs} == {
        (mine.json()["id"], "online"),
        (counter.json()["id"], "counter"),
    }
    inbox = world.call("GET", "/api/v1/inbox", tenant, resident).json()["items"]
    assert any(i["source_id"] == str(counter.json()["id"]) for i in inbox)
    # Someone without an account or record: nobody's app, still on the desk.
    walk_in = world.call(
        "POST",
        "/api/v1/one-stop/applications",
        tenant,
        desk,
        data={"procedure_id": str(in_person["id"]), "applicant_name": "Cụ Bà D", "applicant_phone": "0912000111"},
    )
    assert walk_in.status_code == 201 and walk_in.json()["channel"] == "counter"
    at_counter = world.call("GET", "/api/v1/one-stop/applications", tenant, desk, params={"channel": "counter"}).json()
    assert {counter.json()["id"], walk_in.json()["id"]} <= {x["id"] for x in at_counter}
    assert all(x["channel"] == "counter" for x in at_counter)
    online = world.call("GET", "/api/v1/one-stop/applications", tenant, desk, params={"channel": "online"}).json()
    assert mine.json()["id"] in {x["id"] for x in online} and all(x["channel"] == "online" for x in online)
    bad = world.call("GET", "/api/v1/one-stop/applications", tenant, desk, params={"channel": "fax"})
    assert bad.status_code == 422
    # Another commune's resident record, or none at all: 404, nothing stored.
    foreign = _resident_record(other, None)
    missing = [999_999_999] + ([] if _has_resident(tenant, foreign) else [foreign])
    listed = world.call("GET", "/api/v1/one-stop/applications", tenant, desk, params={"limit": 500}).json()
    for rid in missing:
        refused = world.call(
            "POST", "/api/v1/one-stop/applications", tenant, desk, data=form | {"resident_id": str(rid)}
        )
        assert refused.status_code == 404 and refused.json()["error"]["code"] == "resident_not_found"
    assert world.call("GET", "/api/v1/one-stop/applications", tenant, desk, params={"limit": 500}).json() == listed
    counters = world.call("GET", "/api/v1/public/procedures/counters", tenant).json()
    assert counters["received"] - counters_before["received"] == 3
    assert counters["received_online"] - counters_before["received_online"] == 1


def test_inbox_messages_are_in_the_readers_language_with_their_code(world: World) -> None:
    """Bug: inbox items mixed both languages in one string ("Hồ sơ #14: Cần bổ sung hồ sơ / Application #14:
    More information needed"). They are kept as a code with parameters and rendered per reader."""
    tenant = world.a
    procedure = _procedure(world, tenant)
    resident = new_person(tenant, "resident")
    app = _apply(world, tenant, resident, procedure["id"]).json()
    desk = world.person(tenant, "commune_official")
    note = "Thiếu bản sao CCCD"
    world.call("POST", f"/api/v1/one-stop/applications/{app['id']}/transition", tenant, desk, json={"to": "processing"})
    world.call(
        "POST",
        f"/api/v1/one-stop/applications/{app['id']}/transition",
        tenant,
        desk,
        json={"to": "needs_info", "note": note},
    )

    def latest(lang: str | None, **headers: str) -> dict[str, Any]:
        params = {"lang": lang} if lang else {}
        items = world.call("GET", "/api/v1/inbox", tenant, resident, params=params, headers=headers).json()["items"]
        return dict(next(i for i in items if i["source_id"] == str(app["id"])))

    vi = latest(None)
    assert vi["title"] == f"Hồ sơ #{app['id']}: Cần bổ sung hồ sơ" and vi["body"] == note
    assert vi["code"] == "application_status" and vi["params"]["status"] == "needs_info"
    assert " / " not in vi["title"]
    en = latest("en")
    assert en["title"] == f"Application #{app['id']}: More information needed" and en["body"] == note
    assert latest(None, **{"Accept-Language": "en-US,en;q=0.8"})["title"] == en["title"]
    first = world.call("GET", "/api/v1/inbox", tenant, resident, params={"lang": "en"}).json()["items"][-1]
    assert first["title"].startswith(f"Application #{app['id']}") and first["body"].startswith("Result due: ")
