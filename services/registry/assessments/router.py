"""/v1/employees/{nip}/competency-assessments and /potential-assessments."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from services.common.db import SessionDep
from services.common.errors import problem_responses
from services.common.idempotency import IdempotencyDep
from services.common.pagination import Page, PageDep
from services.registry.assessments import service
from services.registry.assessments.schemas import (
    CompetencyAssessmentCreate,
    CompetencyAssessmentRead,
    PotentialAssessmentCreate,
    PotentialAssessmentRead,
)
from services.registry.dependencies import ReadSessionDep, ScopeDep, SettingsDep
from services.registry.employees.router import Nip
from services.registry.responses import json_response

router = APIRouter(prefix="/v1/employees/{nip}", tags=["assessments"])
WRITE_ERRORS = problem_responses(401, 403, 404, 409, 422)  # 409: an Idempotency-Key still in use


@router.post(
    "/competency-assessments", status_code=201, response_model=CompetencyAssessmentRead, responses=WRITE_ERRORS
)
async def add_competency_assessment(
    nip: Nip,
    data: CompetencyAssessmentCreate,
    session: SessionDep,
    scope: ScopeDep,
    settings: SettingsDep,
    idem: IdempotencyDep,
) -> Response:
    """Record a competency assessment; the answer adds the JPM and band against the current position's standard."""
    if (replay := await idem.replay()) is not None:
        return replay
    body = await service.add_competency_assessment(session, scope, nip, data, settings.default_competency_levels)
    return await idem.respond(201, body)


@router.get(
    "/competency-assessments",
    response_model=Page[CompetencyAssessmentRead],
    responses=problem_responses(401, 404, 422),
)
async def list_competency_assessments(
    nip: Nip, session: ReadSessionDep, scope: ScopeDep, settings: SettingsDep, page: PageDep
) -> Response:
    """List a person's competency assessments, oldest first, each with its JPM against the current position."""
    items, cursor = await service.list_competency_assessments(
        session, scope, nip, page, settings.default_competency_levels
    )
    return json_response(Page[CompetencyAssessmentRead](items=items, next_cursor=cursor))


@router.post("/potential-assessments", status_code=201, response_model=PotentialAssessmentRead, responses=WRITE_ERRORS)
async def add_potential_assessment(
    nip: Nip, data: PotentialAssessmentCreate, session: SessionDep, scope: ScopeDep, idem: IdempotencyDep
) -> Response:
    """Record a potential assessment: an overall score, or the 8 aspect scores (the score is then their mean)."""
    if (replay := await idem.replay()) is not None:
        return replay
    return await idem.respond(201, await service.add_potential_assessment(session, scope, nip, data))


@router.get(
    "/potential-assessments", response_model=Page[PotentialAssessmentRead], responses=problem_responses(401, 404, 422)
)
async def list_potential_assessments(nip: Nip, session: ReadSessionDep, scope: ScopeDep, page: PageDep) -> Response:
    """List a person's potential assessments, oldest first."""
    items, cursor = await service.list_potential_assessments(session, scope, nip, page)
    return json_response(Page[PotentialAssessmentRead](items=items, next_cursor=cursor))
