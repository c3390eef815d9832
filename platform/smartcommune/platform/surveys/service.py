"""Surveys: build, target, answer once, aggregate, export."""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import math
import secrets
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, func, literal, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from smartcommune.platform.common.text import plain_text
from smartcommune.platform.residents.models import Resident
from smartcommune.platform.surveys.models import Survey, SurveyAnswer, SurveyQuestion, SurveyResponse
from smartcommune.platform.surveys.schemas import (
    QuestionOut,
    QuestionResult,
    ResponseIn,
    SurveyIn,
    SurveyOut,
    SurveyResults,
)
from smartcommune.platform.villages.models import Village
from smartcommune.tenants import audit
from smartcommune.tenants.errors import Conflict, InvalidInput, NotFound

MAX_TEXT = {"short_text": 300, "long_text": 5000}


def _now() -> datetime:
    return datetime.now(UTC)


def _status(s: Survey, now: datetime) -> str:
    return "upcoming" if now < s.opens_at else ("open" if now < s.closes_at else "closed")


def _questions(db: Session, survey_ids: Sequence[int]) -> dict[int, list[SurveyQuestion]]:
    found: dict[int, list[SurveyQuestion]] = defaultdict(list)
    if survey_ids:
        rows = db.scalars(
            select(SurveyQuestion)
            .where(SurveyQuestion.survey_id.in_(survey_ids))
            .order_by(SurveyQuestion.survey_id, SurveyQuestion.position)
        )
        for q in rows:
            found[q.survey_id].append(q)
    return found


def to_out(db: Session, surveys: Sequence[Survey], *, subject: str, manager: bool) -> list[SurveyOut]:
    ids = [s.id for s in surveys]
    questions = _questions(db, ids)
    counts: dict[int, int] = {}
    mine: set[int] = set()
    if ids and manager:
        counts = dict(
            db.execute(
                select(SurveyResponse.survey_id, func.count())
                .where(SurveyResponse.survey_id.in_(ids))
                .group_by(SurveyResponse.survey_id)
            ).all()
        )
    if ids:
        for s in surveys:
            if db.scalar(
                select(SurveyResponse.id).where(
                    SurveyResponse.survey_id == s.id, SurveyResponse.respondent == _respondent(s, subject)
                )
            ):
                mine.add(s.id)
    now = _now()
    return [
        SurveyOut(
            id=s.id,
            title=s.title,
            description=s.description,
            opens_at=s.opens_at,
            closes_at=s.closes_at,
            status=_status(s, now),  # type: ignore[arg-type]
            anonymous=s.anonymous,
            whole_commune=s.whole_commune,
            target_village_ids=s.target_village_ids,
            target_groups=s.target_groups,
            created_by=s.created_by,
            created_at=s.created_at,
            questions=[QuestionOut.model_validate(q) for q in questions.get(s.id, [])],
            responded=s.id in mine,
            responses=counts.get(s.id, 0) if manager else None,
        )
        for s in surveys
    ]


def _respondent(s: Survey, subject: str) -> str:
    """The identity kept for "one response each": the subject, or a keyed hash of it when anonymous."""
    if not s.anonymous:
        return subject
    return hmac.new(s.anon_salt.encode(), subject.encode(), hashlib.sha256).hexdigest()


def _me(db: Session, subject: str) -> Resident | None:
    return db.scalar(select(Resident).where(Resident.account_subject == subject, Resident.status == "verified"))


def _targets(me: Resident | None) -> ColumnElement[bool]:
    if me is None:
        return Survey.whole_commune.is_(True)
    village_ok = or_(
        func.cardinality(Survey.target_village_ids) == 0,
        Survey.target_village_ids.any_() == me.village_id if me.village_id is not None else literal(False),
    )
    groups_ok = or_(func.cardinality(Survey.target_groups) == 0, Survey.target_groups.overlap(me.groups or []))
    return or_(Survey.whole_commune.is_(True), and_(village_ok, groups_ok))


def list_surveys(db: Session, *, subject: str, manager: bool, limit: int, before_id: int | None) -> list[SurveyOut]:
    query = select(Survey).order_by(Survey.id.desc()).limit(limit)
    if before_id is not None:
        query = query.where(Survey.id < before_id)
    if not manager:
        now = _now()
        query = query.where(Survey.opens_at <= now, _targets(_me(db, subject)))
    return to_out(db, db.scalars(query).all(), subject=subject, manager=manager)


def get(db: Session, survey_id: int, *, subject: str, manager: bool) -> Survey:
    query = select(Survey).where(Survey.id == survey_id)
    if not manager:
        query = query.where(Survey.opens_at <= _now(), _targets(_me(db, subject)))
    survey = db.scalar(query)
    if survey is None:
        raise NotFound("Không tìm thấy khảo sát.", "Survey not found.", code="survey_not_found")
    return survey


def create(db: Session, data: SurveyIn, *, actor: str, actor_kind: str) -> Survey:
    opens_at = data.opens_at or _now()
    if data.closes_at <= opens_at:
        raise InvalidInput(
            "Ngày đóng phải sau ngày mở.",
            "The closing time must be after the opening time.",
            code="invalid_dates",
            field="closes_at",
        )
    wanted = set(data.target.village_ids)
    if wanted:
        missing = sorted(wanted - set(db.scalars(select(Village.id).where(Village.id.in_(wanted)))))
        if missing:
            raise InvalidInput(
                "Thôn/bản không tồn tại.",
                "Unknown village.",
                code="unknown_village",
                field="target.village_ids",
                village_ids=missing,
            )
    survey = Survey(
        title=data.title,
        description=data.description,
        opens_at=opens_at,
        closes_at=data.closes_at,
        anonymous=data.anonymous,
        anon_salt=secrets.token_hex(32),
        whole_commune=data.target.whole_commune,
        target_village_ids=sorted(wanted),
        target_groups=sorted(set(data.target.groups)),
        created_by=actor,
    )
    db.add(survey)
    db.flush()
    for position, q in enumerate(data.questions, start=1):
        db.add(
            SurveyQuestion(
                survey_id=survey.id,
                position=position,
                kind=q.kind,
                prompt=q.prompt,
                required=q.required,
                config=q.config(),
            )
        )
    db.flush()
    audit.record(
        db,
        actor=actor,
        actor_kind=actor_kind,
        action="create",
        object_type="survey",
        object_id=str(survey.id),
        after=to_out(db, [survey], subject=actor, manager=True)[0].model_dump(mode="json"),
    )
    return survey


def close(db: Session, survey_id: int, *, actor: str, actor_kind: str) -> Survey:
    """Close now: from here on responses are refused (`survey_closed`); results stay readable."""
    survey = db.scalar(select(Survey).where(Survey.id == survey_id).with_for_update())
    if survey is None:
        raise NotFound("Không tìm thấy khảo sát.", "Survey not found.", code="survey_not_found")
    now = _now()
    if _status(survey, now) == "closed":
        raise Conflict("Khảo sát đã đóng.", "The survey is already closed.", code="survey_already_closed")
    before = {"opens_at": survey.opens_at.isoformat(), "closes_at": survey.closes_at.isoformat()}
    survey.opens_at, survey.closes_at = min(survey.opens_at, now), now
    db.flush()
    after = {"opens_at": survey.opens_at.isoformat(), "closes_at": survey.closes_at.isoformat(), "status": "closed"}
    audit.record(
        db,
        actor=actor,
        actor_kind=actor_kind,
        action="close",
        object_type="survey",
        object_id=str(survey.id),
        before=before,
        after=after,
    )
    return survey


# -- answering ----------------------------------------------------------------------------------------
def _bad(problem: str) -> ValueError:
    return ValueError(problem)


def _index(value: Any, size: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < size:
        raise _bad(f"cần chỉ số lựa chọn 0–{size - 1} / a choice index 0–{size - 1} is expected")
    return value


def _check(q: SurveyQuestion, value: Any) -> Any:
    """The stored (normalised) answer, or ValueError with the problem."""
    kind, cfg = q.kind, q.config
    if kind in MAX_TEXT:
        if not isinstance(value, str):
            raise _bad("cần văn bản / text expected")
        text = plain_text(value)
        if len(text) > MAX_TEXT[kind]:
            raise _bad(f"dài quá {MAX_TEXT[kind]} ký tự / longer than {MAX_TEXT[kind]} characters")
        return text or None
    if kind == "single_choice":
        return _index(value, len(cfg["choices"]))
    if kind == "multiple_choice":
        if not isinstance(value, list):
            raise _bad("cần danh sách lựa chọn / a list of choice indexes is expected")
        picked = sorted({_index(v, len(cfg["choices"])) for v in value})
        return picked or None
    if kind == "rating":
        if isinstance(value, bool) or not isinstance(value, int) or not cfg["min"] <= value <= cfg["max"]:
            raise _bad(f"cần số nguyên {cfg['min']}–{cfg['max']} / an integer {cfg['min']}–{cfg['max']} is expected")
        return value
    if kind == "number":
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise _bad("cần một số / a number is expected")
        if (cfg.get("min") is not None and value < cfg["min"]) or (cfg.get("max") is not None and value > cfg["max"]):
            raise _bad("số nằm ngoài khoảng cho phép / number out of range")
        return value
    if kind == "date":
        try:
            return date.fromisoformat(str(value)).isoformat()
        except ValueError as e:
            raise _bad("cần ngày dạng YYYY-MM-DD / a YYYY-MM-DD date is expected") from e
    if kind == "matrix":
        if not isinstance(value, dict):
            raise _bad("cần bảng hàng → cột / a row → column mapping is expected")
        rows, cols = len(cfg["rows"]), len(cfg["columns"])
        out: dict[str, int] = {}
        for row, col in value.items():
            try:
                r = int(row)
            except (TypeError, ValueError) as e:
                raise _bad("hàng không hợp lệ / invalid row") from e
            out[str(_index(r, rows))] = _index(col, cols)
        if q.required and len(out) < rows:
            raise _bad("cần trả lời mọi hàng / every row needs an answer")
        return out or None
    raise _bad("loại câu hỏi không rõ / unknown question type")


def respond(db: Session, survey_id: int, data: ResponseIn, *, subject: str, actor: str) -> SurveyResponse:
    survey = get(db, survey_id, subject=subject, manager=False)
    now = _now()
    status = _status(survey, now)
    if status == "closed":
        raise Conflict("Khảo sát đã đóng.", "The survey is closed.", code="survey_closed", status=status)
    if status != "open":
        raise Conflict("Khảo sát chưa mở.", "The survey is not open yet.", code="survey_not_open", status=status)
    questions = {q.id: q for q in _questions(db, [survey.id]).get(survey.id, [])}
    problems: list[dict[str, Any]] = []
    if unknown := sorted(set(data.answers) - set(questions)):
        problems += [
            {"question_id": qid, "problem": "câu hỏi không thuộc khảo sát / not in this survey"} for qid in unknown
        ]
    values: dict[int, Any] = {}
    for qid, q in questions.items():
        raw = data.answers.get(qid)
        try:
            value = _check(q, raw) if raw is not None else None
        except ValueError as e:
            problems.append({"question_id": qid, "problem": str(e)})
            continue
        if value is None:
            if q.required:
                problems.append({"question_id": qid, "problem": "bắt buộc / required"})
            continue
        values[qid] = value
    if problems:
        raise InvalidInput(
            "Câu trả lời chưa hợp lệ.", "Some answers are invalid.", code="invalid_answers", problems=problems
        )
    # Named surveys keep who answered, whatever the registration's review state (not only `verified`).
    me = (
        None
        if survey.anonymous
        else db.scalar(
            select(Resident).where(Resident.account_subject == subject).order_by(Resident.id.desc()).limit(1)
        )
    )
    response = SurveyResponse(
        survey_id=survey.id, respondent=_respondent(survey, subject), resident_id=me.id if me else None
    )
    db.add(response)
    try:
        with db.begin_nested():
            db.flush()
    except IntegrityError as e:  # the unique (survey, respondent) constraint: one response each
        raise Conflict(
            "Bạn đã trả lời khảo sát này.", "You already answered this survey.", code="already_responded"
        ) from e
    for qid, value in values.items():
        db.add(SurveyAnswer(response_id=response.id, question_id=qid, value=value))
    db.flush()
    audit.record(
        db,
        actor="anonymous" if survey.anonymous else actor,
        actor_kind="commune",
        action="respond",
        object_type="survey",
        object_id=str(survey.id),
        after={"response_id": response.id, "answered": len(values)},
    )
    return response


# -- results ------------------------------------------------------------------------------------------
def _pct(n: int, of: int) -> float:
    return round(100.0 * n / of, 1) if of else 0.0


def _options(labels: list[str], counts: Counter[int], of: int) -> list[dict[str, Any]]:
    return [{"label": label, "count": counts[i], "percent": _pct(counts[i], of)} for i, label in enumerate(labels)]


def results(db: Session, survey_id: int) -> SurveyResults:
    survey = db.get(Survey, survey_id)
    if survey is None:
        raise NotFound("Không tìm thấy khảo sát.", "Survey not found.", code="survey_not_found")
    total = int(db.scalar(select(func.count()).where(SurveyResponse.survey_id == survey.id)) or 0)
    questions = _questions(db, [survey.id]).get(survey.id, [])
    answers: dict[int, list[Any]] = defaultdict(list)
    rows = db.execute(
        select(SurveyAnswer.question_id, SurveyAnswer.value)
        .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
        .where(SurveyResponse.survey_id == survey.id)
        .order_by(SurveyAnswer.response_id.desc())
    )
    for qid, value in rows:
        answers[qid].append(value)
    out: list[QuestionResult] = []
    for q in questions:
        values = answers.get(q.id, [])
        n = len(values)
        r = QuestionResult(question_id=q.id, position=q.position, kind=q.kind, prompt=q.prompt, answered=n)
        if q.kind == "single_choice":
            r.options = _options(q.config["choices"], Counter(values), n)
        elif q.kind == "multiple_choice":
            r.options = _options(q.config["choices"], Counter(i for v in values for i in v), n)
        elif q.kind in ("rating", "number"):
            nums = [float(v) for v in values]
            if nums:
                r.average, r.minimum, r.maximum = round(sum(nums) / len(nums), 2), min(nums), max(nums)
            if q.kind == "rating":
                lo, hi = q.config["min"], q.config["max"]
                counts = Counter(int(v) - lo for v in values)
                r.options = _options([str(x) for x in range(lo, hi + 1)], counts, n)
        elif q.kind == "date":
            if values:
                r.minimum, r.maximum = min(values), max(values)
        elif q.kind == "matrix":
            columns = q.config["columns"]
            r.matrix = []
            for i, label in enumerate(q.config["rows"]):
                picked = [v[str(i)] for v in values if str(i) in v]
                r.matrix.append(
                    {
                        "label": label,
                        "answered": len(picked),
                        "options": _options(columns, Counter(picked), len(picked)),
                    }
                )
        else:
            r.samples = [str(v) for v in values[:20]]
        out.append(r)
    return SurveyResults(survey_id=survey.id, responses=total, questions=out)


def _cell(value: str) -> str:
    """Spreadsheet formula injection: a cell starting with = + - @ is text, not a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def export_csv(db: Session, survey_id: int) -> tuple[str, bytes]:
    survey = db.get(Survey, survey_id)
    if survey is None:
        raise NotFound("Không tìm thấy khảo sát.", "Survey not found.", code="survey_not_found")
    questions = _questions(db, [survey.id]).get(survey.id, [])
    header = ["response_id", "submitted_at"] + ([] if survey.anonymous else ["resident_id", "Họ và tên", "Thôn/bản"])
    columns: list[tuple[SurveyQuestion, int | None]] = []
    for q in questions:
        if q.kind == "matrix":
            for i, row in enumerate(q.config["rows"]):
                header.append(f"Q{q.position} {q.prompt} – {row}")
                columns.append((q, i))
        else:
            header.append(f"Q{q.position} {q.prompt}")
            columns.append((q, None))
    responses = db.execute(
        select(
            SurveyResponse.id, SurveyResponse.submitted_at, SurveyResponse.resident_id, Resident.full_name, Village.name
        )
        .outerjoin(Resident, Resident.id == SurveyResponse.resident_id)
        .outerjoin(Village, Village.id == Resident.village_id)
        .where(SurveyResponse.survey_id == survey.id)
        .order_by(SurveyResponse.id)
    ).all()
    answers: dict[tuple[int, int], Any] = {
        (rid, qid): v
        for rid, qid, v in db.execute(
            select(SurveyAnswer.response_id, SurveyAnswer.question_id, SurveyAnswer.value)
            .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
            .where(SurveyResponse.survey_id == survey.id)
        )
    }
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_cell(h) for h in header])
    for rid, submitted_at, resident_id, full_name, village in responses:
        who = [str(resident_id or ""), full_name or "", village or ""]
        line: list[str] = [str(rid), submitted_at.isoformat()] + ([] if survey.anonymous else who)
        for q, row in columns:
            v = answers.get((rid, q.id))
            line.append(_cell(_render(q, v, row)))
        writer.writerow(line)
    name = f"khao-sat-{survey.id}.csv"
    return name, ("\ufeff" + buffer.getvalue()).encode()  # BOM: Excel opens UTF-8 Vietnamese correctly


def _render(q: SurveyQuestion, v: Any, row: int | None) -> str:
    if v is None:
        return ""
    if q.kind == "single_choice":
        return str(q.config["choices"][v])
    if q.kind == "multiple_choice":
        return "; ".join(q.config["choices"][i] for i in v)
    if q.kind == "matrix":
        col = v.get(str(row)) if row is not None else None
        return str(q.config["columns"][col]) if col is not None else ""
    return str(v)
