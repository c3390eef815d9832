"""Residents, announcements and surveys through the real app: registration by a phone-login resident,
what residents see, bad input (413/415/422, HTML stripped) that stores nothing."""

from __future__ import annotations

import uuid
from typing import Any

from smartcommune.platform.identity.accounts import create_account, issue_token_for
from smartcommune.tenants.database import app_engine
from smartcommune.tenants.principal import COMMUNE_REALM


def _phone_resident(tenant: Any) -> tuple[dict[str, str], str]:
    phone = f"+8498{uuid.uuid4().int % 10**7:07d}"
    account = create_account(app_engine(), realm=COMMUNE_REALM, phone=phone, commune_code=tenant.commune_code)
    return {"Authorization": f"Bearer {issue_token_for(account)}"}, str(account)


def test_registration_verification_and_targeted_announcements(api: Any, kit: Any) -> None:
    a = api.a
    official = api.actor(a, "commune_official")
    host = api.host(a)
    village = api.client.post(
        "/api/v1/villages",
        json={"code": kit.unique("T"), "name": "Thôn Mới"},
        headers=api.actor(a, "commune_admin").auth | host,
    ).json()["id"]
    me, _ = _phone_resident(a)
    assert api.client.get("/api/v1/registration", headers=me | host).json() == {"status": "none", "resident": None}
    body = {"full_name": "<i>Nguyễn</i> Văn Tư", "village_id": village, "groups": ["Nong_Dan"]}
    created = api.client.post("/api/v1/registration", json=body, headers=me | host)
    assert created.status_code == 201, created.text
    resident = created.json()
    assert (resident["status"], resident["full_name"], resident["groups"]) == ("pending", "Nguyễn Văn Tư", ["nong_dan"])
    assert resident["phone"].startswith("+8498") and resident["registered"] is True
    again = api.client.post("/api/v1/registration", json=body | {"full_name": "Nguyễn Văn Tư"}, headers=me | host)
    assert (again.status_code, again.json()["id"]) == (201, resident["id"])  # still pending: replaced
    # A resident cannot review registrations; an official can.
    verify = f"/api/v1/residents/{resident['id']}/verify"
    assert api.client.post(verify, json={}, headers=me | host).status_code == 403
    assert api.client.post(verify, json={}, headers=official.auth | host).json()["status"] == "verified"
    late = api.client.post("/api/v1/registration", json=body, headers=me | host)
    assert (late.status_code, kit.error_code(late)) == (409, "already_registered")

    targeted = {
        "title": "Họp <b>thôn</b>",
        "body": "Họp lúc 19h.<script>alert(1)</script>",
        "target": {"whole_commune": False, "village_ids": [village]},
        "channels": [],
    }
    made = api.client.post("/api/v1/announcements", json=targeted, headers=official.auth | host)
    assert made.status_code == 201, made.text
    assert (made.json()["title"], made.json()["body"]) == ("Họp thôn", "Họp lúc 19h.")
    announcement_id = made.json()["id"]
    mine = [x["id"] for x in api.client.get("/api/v1/announcements", headers=me | host).json()]
    assert announcement_id in mine
    stranger, _ = _phone_resident(a)
    theirs = [x["id"] for x in api.client.get("/api/v1/announcements", headers=stranger | host).json()]
    assert announcement_id not in theirs
    assert api.client.get(f"/api/v1/announcements/{announcement_id}", headers=stranger | host).status_code == 404
    inbox = api.client.get("/api/v1/inbox", headers=me | host).json()["items"]
    assert any(i["source_id"] == str(announcement_id) for i in inbox)
    report = api.client.get(f"/api/v1/announcements/{announcement_id}/deliveries", headers=official.auth | host)
    assert report.json()["summary"] == {"inbox": {"delivered": 1}}
    assert api.client.get(f"/api/v1/announcements/{announcement_id}/deliveries", headers=me | host).status_code == 403


def test_bad_input_is_refused_and_stores_nothing(api: Any, kit: Any) -> None:
    a = api.a
    official = api.actor(a, "commune_official")
    host = api.host(a)
    before = kit.commune_state(a)
    bad = [
        (
            "/api/v1/announcements",
            {"title": "x", "body": "y", "target": {"whole_commune": False}},
            422,
            "invalid_input",
        ),
        ("/api/v1/announcements", {"title": "x", "body": "y", "priority": "panic"}, 422, "invalid_input"),
        (
            "/api/v1/announcements",
            {"title": "x", "body": "y", "target": {"whole_commune": False, "village_ids": [987654321]}},
            422,
            "unknown_village",
        ),
        (
            "/api/v1/announcements",
            {"title": "x", "body": "y", "expires_at": "2000-01-01T00:00:00+07:00"},
            422,
            "invalid_expiry",
        ),
        ("/api/v1/households", {"village_id": 987654321, "house_number": "1"}, 422, "unknown_village"),
        ("/api/v1/residents", {"full_name": "A", "phone": "12345"}, 422, "invalid_phone"),
        ("/api/v1/surveys", {"title": "x", "closes_at": "2099-01-01T00:00:00+07:00", "questions": []}, 422, None),
    ]
    for path, body, status, code in bad:
        response = api.client.post(path, json=body, headers=official.auth | host)
        assert response.status_code == status, (path, response.text)
        if code:
            assert kit.error_code(response) == code, response.text
    html = api.client.post(
        "/api/v1/announcements/attachments",
        files={"file": ("x.pdf", b"<html>not a pdf</html>", "application/pdf")},
        headers=official.auth | host,
    )
    assert (html.status_code, kit.error_code(html)) == (415, "unsupported_media_type")
    huge = api.client.post(
        "/api/v1/residents/import",
        files={"file": ("dan.csv", b"full_name\n" + b"A\n" * (3 * 1024 * 1024), "text/csv")},
        headers=official.auth | host,
    )
    assert (huge.status_code, kit.error_code(huge)) == (413, "file_too_large")
    columns = api.client.post(
        "/api/v1/households/import",
        files={"file": ("h.csv", b"ten,so\nA,1\n", "text/csv")},
        headers=official.auth | host,
    )
    assert (columns.status_code, kit.error_code(columns)) == (422, "csv_missing_columns")
    assert kit.commune_state(a) == before


def test_survey_answer_once_and_results_for_officials_only(api: Any, kit: Any) -> None:
    a = api.a
    official = api.actor(a, "commune_official")
    host = api.host(a)
    body = {
        "title": "Nhu cầu nước sạch",
        "closes_at": "2099-01-01T00:00:00+07:00",
        "questions": [{"kind": "single_choice", "prompt": "Có cần?", "required": True, "choices": ["Có", "Không"]}],
    }
    survey = api.client.post("/api/v1/surveys", json=body, headers=official.auth | host).json()
    qid = survey["questions"][0]["id"]
    me, _ = _phone_resident(a)
    path = f"/api/v1/surveys/{survey['id']}/responses"
    assert api.client.post(path, json={"answers": {str(qid): 5}}, headers=me | host).status_code == 422
    assert api.client.post(path, json={"answers": {str(qid): 0}}, headers=me | host).status_code == 201
    second = api.client.post(path, json={"answers": {str(qid): 1}}, headers=me | host)
    assert (second.status_code, kit.error_code(second)) == (409, "already_responded")
    assert api.client.post("/api/v1/surveys", json=body, headers=me | host).status_code == 403
    assert api.client.get(f"/api/v1/surveys/{survey['id']}/results", headers=me | host).status_code == 403
    results = api.client.get(f"/api/v1/surveys/{survey['id']}/results", headers=official.auth | host).json()
    assert results["responses"] == 1 and results["questions"][0]["options"][0]["count"] == 1
    exported = api.client.get(f"/api/v1/surveys/{survey['id']}/results.csv", headers=official.auth | host)
    assert exported.headers["content-type"].startswith("text/csv") and exported.text.count("\n") == 2
    # The other commune does not know this survey.
    other = api.actor(api.b, "commune_official")
    response = api.client.get(f"/api/v1/surveys/{survey['id']}", headers=other.auth | api.host(api.b))
    assert response.status_code == 404
