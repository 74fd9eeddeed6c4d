"""/v1/positions/{position_id}/successors and /v1/agencies/{agency_id}/succession-overview."""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from services.common.dates import Day
from services.common.db import SessionDep
from services.common.errors import problem_responses
from services.scoring.dependencies import AccessDep, RegistryDep
from services.scoring.registry import registry_time
from services.scoring.responses import json_response
from services.scoring.succession.overview import succession_overview
from services.scoring.succession.schemas import StoredShortlist, SuccessionOverview, Successors
from services.scoring.succession.service import stored_shortlist, successors

router = APIRouter(tags=["succession"])


@router.get(
    "/v1/positions/{position_id}/successors",
    response_model=Successors,
    response_model_exclude_none=False,
    responses=problem_responses(401, 403, 404, 409, 422, 503),
)
async def get_successors(
    position_id: str,
    session: SessionDep,
    access: AccessDep,
    registry: RegistryDep,
    limit: Annotated[int | None, Query(ge=0, le=500, description="Shortlist size (default: the policy's, 3)")] = None,
    include_excluded: Annotated[bool, Query(description="List everyone at a feeder level who fails a rule")] = False,
    as_of: Annotated[Day | None, Query(description="Day the rules are checked on (default today)")] = None,
) -> Response:
    """The ranked successor shortlist of a position, with reasons; excluded people and their rules when asked."""
    started = time.perf_counter()
    with registry_time() as waited:
        answer = await successors(
            session, access, registry, position_id, limit=limit, include_excluded=include_excluded, as_of=as_of
        )
    body = answer.model_dump_json(exclude=None if include_excluded else {"excluded"})
    return Response(body, media_type="application/json", headers=server_timing(started, waited[0]))


@router.get(
    "/v1/agencies/{agency_id}/succession-overview",
    response_model=SuccessionOverview,
    responses=problem_responses(401, 403, 404, 503),
)
async def get_succession_overview(
    agency_id: str, session: SessionDep, access: AccessDep, registry: RegistryDep
) -> Response:
    """Each key position of an agency: its incumbent, their retirement date, successors by readiness, flags."""
    started = time.perf_counter()
    with registry_time() as waited:
        overview = await succession_overview(session, access, registry, agency_id)
    return json_response(overview, headers=server_timing(started, waited[0]))


@router.get(
    "/v1/succession-shortlists/{shortlist_id}",
    response_model=StoredShortlist,
    responses=problem_responses(401, 403, 404),
)
async def get_stored_shortlist(shortlist_id: str, session: SessionDep, access: AccessDep) -> Response:
    """A shortlist as computed earlier (its `shortlist_id`): rule values, candidates' terms, every exclusion."""
    return json_response(await stored_shortlist(session, access, shortlist_id))


def server_timing(started: float, registry_seconds: float) -> dict[str, str]:
    """`Server-Timing`: the time spent waiting on the registry, and the rest (scoring's own work so far)."""
    own = time.perf_counter() - started - registry_seconds
    return {"Server-Timing": f"registry;dur={registry_seconds * 1000:.1f}, scoring;dur={own * 1000:.1f}"}
