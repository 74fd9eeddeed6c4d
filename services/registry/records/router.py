"""/v1/employees/{nip}/awards and /disciplinary-actions."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from services.common.db import SessionDep
from services.common.errors import problem_responses
from services.common.idempotency import IdempotencyDep
from services.common.pagination import Page, PageDep
from services.registry.dependencies import ReadSessionDep, ScopeDep
from services.registry.employees.router import Nip
from services.registry.records import service
from services.registry.records.schemas import (
    AwardCreate,
    AwardRead,
    DisciplinaryActionCreate,
    DisciplinaryActionRead,
)
from services.registry.responses import json_response

router = APIRouter(prefix="/v1/employees/{nip}", tags=["awards and sanctions"])
WRITE_ERRORS = problem_responses(401, 403, 404, 409, 422)  # 409: an Idempotency-Key still in use


@router.post("/awards", status_code=201, response_model=AwardRead, responses=WRITE_ERRORS)
async def add_award(
    nip: Nip, data: AwardCreate, session: SessionDep, scope: ScopeDep, idem: IdempotencyDep
) -> Response:
    """Record an award given to the person (nobody records their own)."""
    if (replay := await idem.replay()) is not None:
        return replay
    award = await service.add_award(session, scope, nip, data)
    return await idem.respond(201, AwardRead.model_validate(award))


@router.get("/awards", response_model=Page[AwardRead], responses=problem_responses(401, 404, 422))
async def list_awards(nip: Nip, session: ReadSessionDep, scope: ScopeDep, page: PageDep) -> Response:
    """List a person's awards, oldest first."""
    items, cursor = await service.list_awards(session, scope, nip, page)
    return json_response(Page[AwardRead](items=[AwardRead.model_validate(a) for a in items], next_cursor=cursor))


@router.post("/disciplinary-actions", status_code=201, response_model=DisciplinaryActionRead, responses=WRITE_ERRORS)
async def add_disciplinary_action(
    nip: Nip, data: DisciplinaryActionCreate, session: SessionDep, scope: ScopeDep, idem: IdempotencyDep
) -> Response:
    """Record a disciplinary sanction (PP 94/2021); `ends_on` may not precede `starts_on`."""
    if (replay := await idem.replay()) is not None:
        return replay
    action = await service.add_disciplinary_action(session, scope, nip, data)
    return await idem.respond(201, DisciplinaryActionRead.model_validate(action))


@router.get(
    "/disciplinary-actions", response_model=Page[DisciplinaryActionRead], responses=problem_responses(401, 404, 422)
)
async def list_disciplinary_actions(nip: Nip, session: ReadSessionDep, scope: ScopeDep, page: PageDep) -> Response:
    """List a person's disciplinary sanctions, oldest first."""
    items, cursor = await service.list_disciplinary_actions(session, scope, nip, page)
    body = Page[DisciplinaryActionRead](
        items=[DisciplinaryActionRead.model_validate(d) for d in items], next_cursor=cursor
    )
    return json_response(body)
