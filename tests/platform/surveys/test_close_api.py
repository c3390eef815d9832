"""Closing a survey early over the real app (POST /api/v1/surveys/{id}/close), against real PostgreSQL with
two communes: officials close now, responses are then refused with `survey_closed`, audited, 409 twice."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from testsupport.commune_world import World, commune_world, unique

from smartcommune.platform.surveys import service
from smartcommune.platform.surveys.models import Survey
from smartcommune.platform.surveys.schemas import QuestionIn, SurveyIn
from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.database import owner_engine, quote_ident
from smartcommune.tenants.session import tenant_transaction


@pytest.fixture(scope="module")
def world(communes: tuple[TenantInfo, TenantInfo]) -> Iterator[World]:
    with commune_world(communes) as w:
        yield w


def _survey(tenant: TenantInfo, *, opens_in: timedelta = timedelta(0)) -> tuple[int, int]:
    with tenant_transaction(tenant) as db:
        data = SurveyIn(
            title=unique("Khảo sát nước sạch"),
            opens_at=datetime.now(UTC) + opens_in if opens_in else None,
            closes_at=datetime.now(UTC) + opens_in + timedelta(days=7),
            questions=[QuestionIn(kind="rating", prompt="Hài lòng?", required=True)],
        )
        survey = service.create(db, data, actor="canbo", actor_kind="commune")
        return survey.id, service.to_out(db, [survey], subject="canbo", manager=True)[0].questions[0].id


def _close_audits(tenant: TenantInfo, survey_id: int) -> int:
    with owner_engine().connect() as conn:
        return int(
            conn.execute(
                text(
                    f"SELECT count(*) FROM {quote_ident(tenant.schema_name)}.audit_log "
                    "WHERE object_type = 'survey' AND action = 'close' AND object_id = :oid"
                ),
                {"oid": str(survey_id)},
            ).scalar_one()
        )


def test_officials_close_a_survey_and_responses_are_then_refused(world: World) -> None:
    a, b = world.a, world.b
    survey_id, question = _survey(a)
    official, resident = world.person(a, "commune_official"), world.person(a, "resident")
    answer = {"answers": {str(question): 4}}
    first = world.call("POST", f"/api/v1/surveys/{survey_id}/responses", a, resident, json=answer)
    assert first.status_code == 201, first.text

    assert world.call("POST", f"/api/v1/surveys/{survey_id}/close", a, resident).status_code == 403
    with tenant_transaction(b) as db:
        b_has_it = db.get(Survey, survey_id) is not None
    if not b_has_it:  # identities are per commune: only an id the other commune lacks proves the 404
        other = world.call("POST", f"/api/v1/surveys/{survey_id}/close", b, world.person(b, "commune_official"))
        assert other.status_code == 404 and other.json()["error"]["code"] == "survey_not_found"
    missing = world.call("POST", "/api/v1/surveys/999999999/close", a, official)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "survey_not_found"

    closed = world.call("POST", f"/api/v1/surveys/{survey_id}/close", a, official)
    assert closed.status_code == 200, closed.text
    assert closed.json()["status"] == "closed" and closed.json()["id"] == survey_id
    assert _close_audits(a, survey_id) == 1

    late = world.call("POST", f"/api/v1/surveys/{survey_id}/responses", a, world.person(a, "village_head"), json=answer)
    assert late.status_code == 409 and late.json()["error"]["code"] == "survey_closed"
    again = world.call("POST", f"/api/v1/surveys/{survey_id}/close", a, official)
    assert again.status_code == 409 and again.json()["error"]["code"] == "survey_already_closed"
    assert _close_audits(a, survey_id) == 1
    results = world.call("GET", f"/api/v1/surveys/{survey_id}/results", a, official)
    assert results.status_code == 200 and results.json()["responses"] == 1  # what was answered stays


def test_an_upcoming_survey_can_be_closed_before_it_opens(world: World) -> None:
    a = world.a
    survey_id, question = _survey(a, opens_in=timedelta(days=2))
    early = world.call(
        "POST",
        f"/api/v1/surveys/{survey_id}/responses",
        a,
        world.person(a, "commune_official"),
        json={"answers": {str(question): 3}},
    )
    assert early.status_code in (404, 409)  # not yet listed for respondents / not open yet
    closed = world.call("POST", f"/api/v1/surveys/{survey_id}/close", a, world.person(a, "commune_admin"))
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    with tenant_transaction(a) as db:
        row = db.get(Survey, survey_id)
        assert row is not None and row.opens_at <= row.closes_at <= datetime.now(UTC)
