from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from smartcommune.platform.http.auth import CommuneCall, authorize
from smartcommune.platform.surveys import service
from smartcommune.platform.surveys.schemas import ResponseIn, ResponseOut, SurveyIn, SurveyOut, SurveyResults
from smartcommune.tenants.authz.authorizer import is_allowed

router = APIRouter(prefix="/api/v1/surveys", tags=["surveys"])


def _manager(call: CommuneCall) -> bool:
    """Who may read results sees every survey; residents see the open ones meant for them."""
    return is_allowed(call.principal, call.tenant.commune_code, "survey_builder", "read")


@router.get("", response_model=list[SurveyOut])
def list_surveys(
    before_id: int | None = None,
    limit: int = Query(default=30, ge=1, le=200),
    call: CommuneCall = Depends(authorize("surveys", "read")),
) -> list[SurveyOut]:
    return service.list_surveys(
        call.db, subject=call.principal.subject, manager=_manager(call), limit=limit, before_id=before_id
    )


@router.post("", response_model=SurveyOut, status_code=201)
def create_survey(data: SurveyIn, call: CommuneCall = Depends(authorize("survey_builder", "write"))) -> SurveyOut:
    survey = service.create(call.db, data, actor=call.actor, actor_kind=call.actor_kind)
    return service.to_out(call.db, [survey], subject=call.principal.subject, manager=True)[0]


@router.get("/{survey_id}", response_model=SurveyOut)
def get_survey(survey_id: int, call: CommuneCall = Depends(authorize("surveys", "read"))) -> SurveyOut:
    manager = _manager(call)
    survey = service.get(call.db, survey_id, subject=call.principal.subject, manager=manager)
    return service.to_out(call.db, [survey], subject=call.principal.subject, manager=manager)[0]


@router.post("/{survey_id}/close", response_model=SurveyOut)
def close_survey(survey_id: int, call: CommuneCall = Depends(authorize("survey_builder", "write"))) -> SurveyOut:
    """Close the survey now: responses are refused from then on (`survey_closed`); 409 if already closed."""
    survey = service.close(call.db, survey_id, actor=call.actor, actor_kind=call.actor_kind)
    return service.to_out(call.db, [survey], subject=call.principal.subject, manager=True)[0]


@router.post("/{survey_id}/responses", response_model=ResponseOut, status_code=201)
def respond(
    survey_id: int, data: ResponseIn, call: CommuneCall = Depends(authorize("surveys", "write"))
) -> ResponseOut:
    response = service.respond(call.db, survey_id, data, subject=call.principal.subject, actor=call.actor)
    survey = service.get(call.db, survey_id, subject=call.principal.subject, manager=True)
    return ResponseOut(
        id=response.id, survey_id=survey.id, submitted_at=response.submitted_at, anonymous=survey.anonymous
    )


@router.get("/{survey_id}/results", response_model=SurveyResults)
def survey_results(survey_id: int, call: CommuneCall = Depends(authorize("survey_builder", "read"))) -> SurveyResults:
    return service.results(call.db, survey_id)


@router.get("/{survey_id}/results.csv")
def survey_results_csv(survey_id: int, call: CommuneCall = Depends(authorize("survey_builder", "read"))) -> Response:
    name, data = service.export_csv(call.db, survey_id)
    return Response(
        data,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}", "Cache-Control": "no-store"},
    )
