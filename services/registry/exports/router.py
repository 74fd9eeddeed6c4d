"""/v1/scoring-inputs: the registry's facts for the scoring service, streamed as CSV (internal)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import StreamingResponse

from services.common.dates import Day
from services.common.db import SessionDep
from services.common.errors import problem_responses
from services.registry.dependencies import ScopeDep
from services.registry.exports import service
from services.registry.exports.query import COLUMNS

router = APIRouter(prefix="/v1/scoring-inputs", tags=["scoring inputs"])
DESCRIPTION = (
    "One CSV row per active employee (not deleted, not retired at `as_of`), ordered by NIP, with everything the "
    "scoring policies need, as of `as_of` (default 31 December of `period`): the position, rank and their start "
    "dates held then, the latest competency and potential assessments dated on or before it, the predikat of "
    "`period` and the year before, sanctions in force or ended within `sanction_lookback_years`, and awards dated "
    "within `award_lookback_years`. An empty field is a missing value. Streamed: memory stays flat whatever the "
    "size. Columns, in order: " + ", ".join(f"`{c}`" for c in COLUMNS) + "."
)


@router.get(
    "",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}, "description": "The CSV"}, **problem_responses(401, 403, 404, 422)},
    description=DESCRIPTION,
)
async def scoring_inputs(
    request: Request,
    session: SessionDep,
    scope: ScopeDep,
    period: Annotated[int, Query(ge=1990, le=2100, description="Review period Y: predikat of Y and Y-1")],
    agency_id: Annotated[
        str | None, Query(max_length=100, description="Id or code; omitted: every agency (national callers)")
    ] = None,
    as_of: Annotated[Day | None, Query(description="Default: 31 December of `period`")] = None,
    levels: Annotated[str | None, Query(max_length=500, description="Comma list of position levels")] = None,
    sanction_lookback_years: Annotated[int, Query(ge=0, le=50)] = 5,
    award_lookback_years: Annotated[int, Query(ge=0, le=50)] = 5,
) -> StreamingResponse:
    """Stream the scoring inputs of an agency (or every agency) as CSV."""
    ask = service.ExportRequest(agency_id, period, as_of, levels, sanction_lookback_years, award_lookback_years)
    chunks = await service.scoring_inputs(session, request.app.state.sessionmaker, scope, ask)
    name = f"scoring-inputs-{period}.csv"
    return StreamingResponse(
        chunks, media_type="text/csv; charset=utf-8", headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )
