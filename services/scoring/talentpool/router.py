"""/v1/talent-pool: the talent pool across agencies (each agency's latest finalized review), filtered and paged."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from services.common.dates import Day
from services.common.db import SessionDep
from services.common.errors import problem_responses
from services.common.pagination import PageDep
from services.scoring.dependencies import AccessDep, RegistryDep
from services.scoring.responses import json_response
from services.scoring.talentpool.schemas import TalentPoolPage
from services.scoring.talentpool.service import PoolQuery, talent_pool

router = APIRouter(tags=["talent pool"])
READINESS_DOC = (
    "Readiness for `ready_for` (a position level, e.g. `jpt_pratama`) applies the engine's succession rules of "
    "the review's policy to a position of that level with the policy's defaults for it (its default competency "
    "standard and minimum rank), checked as of `as_of` (default today, Asia/Jakarta) on the inputs recorded with "
    "each placement (the data the review decided on): feeder level and time in it, minimum rank, education, age "
    "at appointment, retirement margin, predikat of the review's year and the year before, discipline, employment "
    "type. Only people who meet every rule are listed; `ready_now` = every rule met and JPM against that default "
    "standard >= 80, `ready_1_2_years` = JPM 68 to < 80 or the time in level completing within 2 years, "
    "`ready_3_plus_years` = JPM < 68."
)


@router.get(
    "/v1/talent-pool",
    response_model=TalentPoolPage,
    responses=problem_responses(401, 403, 404, 422, 503),
    description="People in the talent pool (effective box in the policy's pool boxes, calibrations applied) of "
    "each agency's latest finalized review; a national caller sees every agency, others their own. Sorted by "
    "box, potential score and NIP, all descending. " + READINESS_DOC,
)
async def get_talent_pool(
    session: SessionDep,
    access: AccessDep,
    registry: RegistryDep,
    page: PageDep,
    box: Annotated[int | None, Query(ge=1, le=9, description="Effective box")] = None,
    position_type: Annotated[str | None, Query(max_length=20, description="e.g. administrator, fungsional")] = None,
    rank: Annotated[str | None, Query(max_length=8, description='Golongan, e.g. "IV/a" (PPPK "IX")')] = None,
    agency_id: Annotated[str | None, Query(max_length=100, description="Agency id or code")] = None,
    region: Annotated[str | None, Query(max_length=100, description="The agency's province, e.g. Lampung")] = None,
    education_level: Annotated[str | None, Query(max_length=4, description="sd ... s3")] = None,
    ready_for: Annotated[str | None, Query(max_length=20, description="A position level, e.g. jpt_pratama")] = None,
    readiness: Annotated[
        str | None, Query(max_length=20, description="ready_now, ready_1_2_years or ready_3_plus_years")
    ] = None,
    as_of: Annotated[Day | None, Query(description="Day readiness rules are checked on (default today)")] = None,
) -> Response:
    """The talent pool across agencies, filtered by box, position type, rank, agency, region, education, readiness."""
    query = PoolQuery(
        box=box,
        position_type=position_type,
        rank=rank,
        agency=agency_id,
        region=region,
        education_level=education_level,
        ready_for=ready_for,
        readiness=readiness,
        as_of=as_of,
    )
    return json_response(await talent_pool(session, access, registry, query, page))
