"""/v1/positions: positions with their type, level, key flag and competency standard."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from services.common.db import SessionDep
from services.common.errors import problem_responses
from services.common.idempotency import IdempotencyDep
from services.common.pagination import Page, PageDep
from services.registry.dependencies import IfMatch, ReadSessionDep, ScopeDep
from services.registry.positions import service
from services.registry.positions.schemas import PositionCreate, PositionRead, PositionUpdate
from services.registry.responses import etag_headers, json_response

router = APIRouter(prefix="/v1/positions", tags=["positions"])


@router.get("", response_model=Page[PositionRead], responses=problem_responses(401, 404, 422))
async def list_positions(
    session: ReadSessionDep,
    scope: ScopeDep,
    page: PageDep,
    agency_id: Annotated[str | None, Query(max_length=100, description="Agency id or code")] = None,
    unit_id: Annotated[str | None, Query(max_length=36)] = None,
    is_key: Annotated[bool | None, Query(description="Only key positions (true) or only others (false)")] = None,
) -> Response:
    """List positions the caller may see, filtered by agency, unit and key flag."""
    items, cursor = await service.list_positions(session, scope, page, agency_id, unit_id, is_key)
    return json_response(Page[PositionRead](items=[PositionRead.model_validate(p) for p in items], next_cursor=cursor))


@router.post("", status_code=201, response_model=PositionRead, responses=problem_responses(401, 404, 409, 422))
async def create_position(data: PositionCreate, session: SessionDep, scope: ScopeDep, idem: IdempotencyDep) -> Response:
    """Add a position to a unit; a fungsional position needs its functional level."""
    if (replay := await idem.replay()) is not None:
        return replay
    position = await service.create_position(session, scope, data)
    return await idem.respond(201, PositionRead.model_validate(position), etag_headers(position.version))


@router.get("/{position_id}", response_model=PositionRead, responses=problem_responses(401, 404))
async def get_position(position_id: str, session: ReadSessionDep, scope: ScopeDep) -> Response:
    """Read one position."""
    position = await service.get_visible_position(session, scope, position_id)
    return json_response(PositionRead.model_validate(position), version=position.version)


@router.patch("/{position_id}", response_model=PositionRead, responses=problem_responses(401, 404, 409, 412, 422, 428))
async def update_position(
    position_id: str, data: PositionUpdate, session: SessionDep, scope: ScopeDep, if_match: IfMatch = None
) -> Response:
    """Change a position (its level only while nobody holds it); send If-Match with its ETag."""
    position = await service.update_position(session, scope, position_id, data, if_match)
    return json_response(PositionRead.model_validate(position), version=position.version)
