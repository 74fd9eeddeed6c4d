"""/v1/agencies: register, list, read and change agencies (named by id or code)."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from services.common.db import SessionDep
from services.common.errors import problem_responses
from services.common.idempotency import IdempotencyDep
from services.common.pagination import Page, PageDep
from services.registry.agencies import service
from services.registry.agencies.schemas import AgencyCreate, AgencyRead, AgencyUpdate
from services.registry.dependencies import IfMatch, ReadSessionDep, ScopeDep
from services.registry.responses import etag_headers, json_response

router = APIRouter(prefix="/v1/agencies", tags=["agencies"])


@router.get("", response_model=Page[AgencyRead], responses=problem_responses(401, 422))
async def list_agencies(session: ReadSessionDep, scope: ScopeDep, page: PageDep) -> Response:
    """List the agencies the caller may see (an agency-bound caller sees only its own)."""
    items, cursor = await service.list_agencies(session, scope, page)
    return json_response(Page[AgencyRead](items=[AgencyRead.model_validate(a) for a in items], next_cursor=cursor))


@router.post("", status_code=201, response_model=AgencyRead, responses=problem_responses(401, 403, 409, 422))
async def create_agency(data: AgencyCreate, session: SessionDep, scope: ScopeDep, idem: IdempotencyDep) -> Response:
    """Register an agency (national callers only); its code is a permanent lowercase slug."""
    if (replay := await idem.replay()) is not None:
        return replay
    agency = await service.create_agency(session, scope, data)
    return await idem.respond(201, AgencyRead.model_validate(agency), etag_headers(agency.version))


@router.get("/{agency_id}", response_model=AgencyRead, responses=problem_responses(401, 404))
async def get_agency(agency_id: str, session: ReadSessionDep, scope: ScopeDep) -> Response:
    """Read one agency by id or code."""
    agency = await service.get_visible_agency(session, scope, agency_id)
    return json_response(AgencyRead.model_validate(agency), version=agency.version)


@router.patch("/{agency_id}", response_model=AgencyRead, responses=problem_responses(401, 404, 412, 422, 428))
async def update_agency(
    agency_id: str, data: AgencyUpdate, session: SessionDep, scope: ScopeDep, if_match: IfMatch = None
) -> Response:
    """Change an agency's name or region; send If-Match with its ETag."""
    agency = await service.update_agency(session, scope, agency_id, data, if_match)
    return json_response(AgencyRead.model_validate(agency), version=agency.version)
