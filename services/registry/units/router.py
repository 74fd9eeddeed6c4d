"""/v1/agencies/{agency_id}/units and /v1/units/{unit_id}: the organisation tree."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from services.common.db import SessionDep
from services.common.errors import problem_responses
from services.common.idempotency import IdempotencyDep
from services.common.pagination import Page, PageDep
from services.registry.dependencies import IfMatch, ReadSessionDep, ScopeDep
from services.registry.responses import etag_headers, json_response
from services.registry.units import service
from services.registry.units.schemas import UnitCreate, UnitRead, UnitUpdate

router = APIRouter(prefix="/v1", tags=["units"])


@router.get("/agencies/{agency_id}/units", response_model=Page[UnitRead], responses=problem_responses(401, 404, 422))
async def list_units(
    agency_id: str,
    session: ReadSessionDep,
    scope: ScopeDep,
    page: PageDep,
    parent_id: Annotated[str | None, Query(max_length=36, description="Only the children of this unit")] = None,
) -> Response:
    """List an agency's units in creation order (the children of `parent_id` when given)."""
    items, cursor = await service.list_units(session, scope, agency_id, page, parent_id)
    return json_response(Page[UnitRead](items=[UnitRead.model_validate(u) for u in items], next_cursor=cursor))


@router.post(
    "/agencies/{agency_id}/units",
    status_code=201,
    response_model=UnitRead,
    responses=problem_responses(401, 404, 409, 422),
)
async def create_unit(
    agency_id: str, data: UnitCreate, session: SessionDep, scope: ScopeDep, idem: IdempotencyDep
) -> Response:
    """Add a unit to an agency; its parent must be a unit of the same agency."""
    if (replay := await idem.replay()) is not None:
        return replay
    unit = await service.create_unit(session, scope, agency_id, data)
    return await idem.respond(201, UnitRead.model_validate(unit), etag_headers(unit.version))


@router.get("/units/{unit_id}", response_model=UnitRead, responses=problem_responses(401, 404))
async def get_unit(unit_id: str, session: ReadSessionDep, scope: ScopeDep) -> Response:
    """Read one unit."""
    unit = await service.get_visible_unit(session, scope, unit_id)
    return json_response(UnitRead.model_validate(unit), version=unit.version)


@router.patch("/units/{unit_id}", response_model=UnitRead, responses=problem_responses(401, 404, 409, 412, 422, 428))
async def update_unit(
    unit_id: str, data: UnitUpdate, session: SessionDep, scope: ScopeDep, if_match: IfMatch = None
) -> Response:
    """Rename, recode or move a unit (no cycles, same agency); send If-Match with its ETag."""
    unit = await service.update_unit(session, scope, unit_id, data, if_match)
    return json_response(UnitRead.model_validate(unit), version=unit.version)
