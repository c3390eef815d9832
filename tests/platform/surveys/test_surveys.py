"""Surveys on real PostgreSQL, both communes: every question type, validation, one response per
resident (enforced by the database), anonymity, aggregation checked against the submitted answers, CSV."""

from __future__ import annotations

import csv
import io
import random
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from smartcommune.platform.announcements.schemas import Targeting
from smartcommune.platform.residents.models import Resident
from smartcommune.platform.surveys import service
from smartcommune.platform.surveys.models import Survey, SurveyResponse
from smartcommune.platform.surveys.schemas import QuestionIn, ResponseIn, SurveyIn
from smartcommune.platform.villages.models import Village
from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.errors import Conflict, InvalidInput, NotFound
from smartcommune.tenants.session import tenant_transaction

QUESTIONS = [
    QuestionIn(kind="short_text", prompt="Họ tên chủ hộ?"),
    QuestionIn(kind="long_text", prompt="Góp ý <b>khác</b>?"),
    QuestionIn(kind="single_choice", prompt="Nguồn nước chính?", required=True, choices=["Giếng", "Máy", "Sông"]),
    QuestionIn(kind="multiple_choice", prompt="Cây trồng?", choices=["Lúa", "Ngô", "Sắn", "Rau"]),
    QuestionIn(kind="rating", prompt="Hài lòng với đường thôn?", required=True, scale_min=1, scale_max=5),
    QuestionIn(kind="number", prompt="Số nhân khẩu?", min=1, max=30),
    QuestionIn(kind="date", prompt="Ngày gieo sạ?"),
    QuestionIn(kind="matrix", prompt="Đánh giá dịch vụ", rows=["Điện", "Nước"], columns=["Kém", "Được", "Tốt"]),
]


def _survey(tenant: TenantInfo, **kw: Any) -> tuple[int, list[int]]:
    data = SurveyIn(
        title=kw.pop("title", "Khảo sát nông hộ"),
        closes_at=kw.pop("closes_at", datetime.now(UTC) + timedelta(days=7)),
        questions=kw.pop("questions", QUESTIONS),
        **kw,
    )
    with tenant_transaction(tenant) as db:
        s = service.create(db, data, actor="canbo", actor_kind="commune")
        out = service.to_out(db, [s], subject="canbo", manager=True)[0]
        return s.id, [q.id for q in out.questions]


def _random_answers(q: list[int], rng: random.Random) -> dict[int, Any]:
    return {
        q[0]: f"Hộ {rng.randint(1, 99)}",
        q[1]: "Đường <script>x()</script>hỏng",
        q[2]: rng.randrange(3),
        q[3]: sorted(rng.sample(range(4), rng.randint(0, 3))),
        q[4]: rng.randint(1, 5),
        q[5]: rng.randint(1, 12),
        q[6]: f"2026-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
        q[7]: {"0": rng.randrange(3), "1": rng.randrange(3)},
    }


def _answer(tenant: TenantInfo, survey_id: int, answers: dict[int, Any], subject: str | None = None) -> int:
    with tenant_transaction(tenant) as db:
        r = service.respond(db, survey_id, ResponseIn(answers=answers), subject=subject or str(uuid.uuid4()), actor="x")
        return r.id


def test_builder_rejects_malformed_questions() -> None:
    for bad in (
        {"kind": "single_choice", "prompt": "?", "choices": ["chỉ một"]},
        {"kind": "matrix", "prompt": "?", "rows": ["a"], "columns": ["x"]},
        {"kind": "rating", "prompt": "?", "scale_min": 5, "scale_max": 3},
        {"kind": "number", "prompt": "?", "min": 10, "max": 1},
        {"kind": "essay", "prompt": "?"},
    ):
        with pytest.raises(ValidationError):
            QuestionIn.model_validate(bad)
    with pytest.raises(ValidationError):
        SurveyIn(title="x", closes_at=datetime(2030, 1, 1), questions=QUESTIONS)  # naive datetime


def test_results_aggregate_what_was_answered(communes: tuple[TenantInfo, TenantInfo]) -> None:
    a, b = communes
    survey_id, q = _survey(a)
    rng = random.Random(4)
    submitted = [_random_answers(q, rng) for _ in range(23)]
    for answers in submitted:
        _answer(a, survey_id, answers)
    with tenant_transaction(a) as db:
        results = service.results(db, survey_id)
    assert results.responses == 23
    by_q = {r.question_id: r for r in results.questions}
    single = Counter(s[q[2]] for s in submitted)
    assert [o["count"] for o in by_q[q[2]].options or []] == [single[i] for i in range(3)]
    assert [o["percent"] for o in by_q[q[2]].options or []] == [round(100 * single[i] / 23, 1) for i in range(3)]
    multi = Counter(i for s in submitted for i in s[q[3]])
    answered_multi = sum(1 for s in submitted if s[q[3]])
    assert by_q[q[3]].answered == answered_multi
    assert [o["count"] for o in by_q[q[3]].options or []] == [multi[i] for i in range(4)]
    ratings = [s[q[4]] for s in submitted]
    assert by_q[q[4]].average == round(sum(ratings) / 23, 2)
    assert [o["label"] for o in by_q[q[4]].options or []] == ["1", "2", "3", "4", "5"]
    numbers = [s[q[5]] for s in submitted]
    assert (by_q[q[5]].minimum, by_q[q[5]].maximum) == (min(numbers), max(numbers))
    dates = sorted(s[q[6]] for s in submitted)
    assert (by_q[q[6]].minimum, by_q[q[6]].maximum) == (dates[0], dates[-1])
    electricity = Counter(s[q[7]]["0"] for s in submitted)
    assert [o["count"] for o in (by_q[q[7]].matrix or [])[0]["options"]] == [electricity[i] for i in range(3)]
    assert by_q[q[1]].samples and all("<" not in x and "x()" not in x for x in by_q[q[1]].samples)
    with pytest.raises(NotFound), tenant_transaction(b) as db:
        service.results(db, survey_id)

    with tenant_transaction(a) as db:
        name, data = service.export_csv(db, survey_id)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert name.endswith(".csv") and len(rows) == 24
    assert rows[0][:3] == ["response_id", "submitted_at", "resident_id"]
    assert rows[0][-2:] == ["Q8 Đánh giá dịch vụ – Điện", "Q8 Đánh giá dịch vụ – Nước"]
    water_col = rows[0].index("Q3 Nguồn nước chính?")
    assert Counter(r[water_col] for r in rows[1:]) == Counter(["Giếng", "Máy", "Sông"][s[q[2]]] for s in submitted)


def test_one_response_per_resident_is_enforced_by_the_database(communes: tuple[TenantInfo, TenantInfo]) -> None:
    a, _ = communes
    survey_id, q = _survey(a, anonymous=True)
    subject = str(uuid.uuid4())
    answers = _random_answers(q, random.Random(1))
    _answer(a, survey_id, answers, subject)
    with pytest.raises(Conflict) as caught, tenant_transaction(a) as db:
        service.respond(db, survey_id, ResponseIn(answers=answers), subject=subject, actor="x")
    assert caught.value.code == "already_responded"
    with tenant_transaction(a) as db:
        stored = db.scalars(select(SurveyResponse).where(SurveyResponse.survey_id == survey_id)).all()
        assert len(stored) == 1 and stored[0].respondent != subject and stored[0].resident_id is None
        respondent = stored[0].respondent
    # Even a raw insert cannot add a second response for the same respondent.
    with pytest.raises(IntegrityError), tenant_transaction(a) as db:
        db.add(SurveyResponse(survey_id=survey_id, respondent=respondent))
        db.flush()
    with tenant_transaction(a) as db:
        _, data = service.export_csv(db, survey_id)
    assert "resident_id" not in data.decode("utf-8-sig").splitlines()[0]


def test_invalid_or_missing_answers_store_nothing(communes: tuple[TenantInfo, TenantInfo]) -> None:
    a, _ = communes
    survey_id, q = _survey(a)
    bad = {q[2]: 7, q[3]: [0, 9], q[4]: "năm", q[5]: 99, q[6]: "31/12/2026", q[7]: {"5": 0}, 999_999: "?"}
    with pytest.raises(InvalidInput) as caught, tenant_transaction(a) as db:
        service.respond(db, survey_id, ResponseIn(answers=bad), subject="s", actor="x")
    problem_ids = {p["question_id"] for p in caught.value.details["problems"]}
    assert problem_ids == {q[2], q[3], q[4], q[5], q[6], q[7], 999_999}
    with pytest.raises(InvalidInput) as missing, tenant_transaction(a) as db:
        service.respond(db, survey_id, ResponseIn(answers={q[0]: "chỉ tên"}), subject="s", actor="x")
    assert {p["question_id"] for p in missing.value.details["problems"]} == {q[2], q[4]}
    with tenant_transaction(a) as db:
        assert db.scalar(select(SurveyResponse.id).where(SurveyResponse.survey_id == survey_id)) is None


def test_open_close_dates_and_targeting(communes: tuple[TenantInfo, TenantInfo]) -> None:
    a, b = communes
    with tenant_transaction(a) as db:
        east, west = (
            Village(code=f"E{uuid.uuid4().hex[:6]}", name="Đông"),
            Village(code=f"W{uuid.uuid4().hex[:6]}", name="Tây"),
        )
        db.add_all([east, west])
        db.flush()
        farmer = str(uuid.uuid4())
        db.add(
            Resident(
                full_name="Nông dân",
                village_id=west.id,
                groups=["nong_dan"],
                account_subject=farmer,
                status="verified",
                source="official",
            )
        )
        east_id = east.id
    simple = [QuestionIn(kind="rating", prompt="?", required=True)]
    targeted, qs = _survey(a, questions=simple, target=Targeting(whole_commune=False, village_ids=[east_id]))
    with pytest.raises(NotFound), tenant_transaction(a) as db:
        service.respond(db, targeted, ResponseIn(answers={qs[0]: 3}), subject=farmer, actor="x")
    groups, qg = _survey(a, questions=simple, target=Targeting(whole_commune=False, groups=["nong_dan"]))
    _answer(a, groups, {qg[0]: 4}, farmer)
    with tenant_transaction(a) as db:
        listed = {s.id: s for s in service.list_surveys(db, subject=farmer, manager=False, limit=200, before_id=None)}
    assert targeted not in listed and listed[groups].responded is True
    closed, qc = _survey(a, questions=simple)
    with tenant_transaction(a) as db:
        db.execute(update(Survey).where(Survey.id == closed).values(closes_at=datetime.now(UTC) - timedelta(seconds=1)))
    with pytest.raises(Conflict) as caught, tenant_transaction(a) as db:
        service.respond(db, closed, ResponseIn(answers={qc[0]: 3}), subject=farmer, actor="x")
    assert caught.value.code == "survey_closed"
    with pytest.raises(NotFound), tenant_transaction(b) as db:
        service.respond(db, groups, ResponseIn(answers={qg[0]: 4}), subject=str(uuid.uuid4()), actor="x")


def test_csv_cells_cannot_become_formulas(communes: tuple[TenantInfo, TenantInfo]) -> None:
    a, _ = communes
    survey_id, q = _survey(a, questions=[QuestionIn(kind="short_text", prompt="=HYPERLINK()")])
    _answer(a, survey_id, {q[0]: "=cmd|' /C calc'!A0"})
    with tenant_transaction(a) as db:
        _, data = service.export_csv(db, survey_id)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[1][-1].startswith("'=") and rows[0][-1] == "Q1 =HYPERLINK()"


def test_csv_names_the_resident_and_village_of_a_named_survey(communes: tuple[TenantInfo, TenantInfo]) -> None:
    """Bug: the resident column was empty when the respondent's registration was not yet verified (the
    lookup filtered on `verified`), and there were no name/village columns."""
    a, _ = communes
    subject = str(uuid.uuid4())
    with tenant_transaction(a) as db:
        village = Village(code=f"N{uuid.uuid4().hex[:6]}", name="Thôn Nam")
        db.add(village)
        db.flush()
        person = Resident(
            full_name="Lê Thị Hoa", village_id=village.id, account_subject=subject, status="pending", source="self"
        )
        db.add(person)
        db.flush()
        person_id = person.id
    survey_id, q = _survey(a, questions=[QuestionIn(kind="rating", prompt="Hài lòng?", scale_min_label="Kém")])
    _answer(a, survey_id, {q[0]: 4}, subject)
    with tenant_transaction(a) as db:
        _, data = service.export_csv(db, survey_id)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:5] == ["response_id", "submitted_at", "resident_id", "Họ và tên", "Thôn/bản"]
    assert rows[1][2:5] == [str(person_id), "Lê Thị Hoa", "Thôn Nam"] and rows[1][-1] == "4"


def test_rating_keeps_its_end_labels() -> None:
    q = QuestionIn(
        kind="rating", prompt="?", scale_min=1, scale_max=5, scale_min_label="Rất kém", scale_max_label="Rất tốt"
    )
    assert q.config() == {"min": 1, "max": 5, "min_label": "Rất kém", "max_label": "Rất tốt"}
    assert QuestionIn(kind="rating", prompt="?").config() == {"min": 1, "max": 5}
