"""/v1/nine-box and /v1/nine-box.svg: the distribution over the nine boxes across agencies for a period."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from services.common.db import SessionDep
from services.common.errors import problem_responses
from services.scoring.dependencies import AccessDep, RegistryDep
from services.scoring.ninebox.schemas import NationalNineBox
from services.scoring.ninebox.service import national_nine_box
from services.scoring.ninebox.svg import national_nine_box_svg
from services.scoring.responses import json_response

router = APIRouter(tags=["placements"])
Period = Annotated[int, Query(ge=2000, le=2100, description="Review period Y")]
Agency = Annotated[str | None, Query(max_length=100, description="One agency (id or code); default: all in view")]
SOURCE = (
    " Each agency counts with its latest review of the period that its talent committee finalized (the decided "
    "results, as national succession and the talent pool use); agencies whose review still awaits its decree are "
    "listed in `awaiting_decree` and not counted. Counts are by effective box (calibrations applied)."
)


@router.get(
    "/v1/nine-box",
    response_model=NationalNineBox,
    responses=problem_responses(401, 403, 404, 422, 503),
    description="The 9-box across agencies: the national sum and each agency's grid." + SOURCE,
)
async def get_national_nine_box(
    session: SessionDep, access: AccessDep, registry: RegistryDep, period: Period, agency_id: Agency = None
) -> Response:
    """The distribution over the nine boxes across agencies (national callers: all; others: their own)."""
    return json_response(await national_nine_box(session, access, registry, period, agency_id))


@router.get(
    "/v1/nine-box.svg",
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}}}, **problem_responses(401, 403, 404, 422, 503)},
    description="Small multiples: the national sum, then one 3x3 grid per agency (axes in Indonesian)." + SOURCE,
)
async def get_national_nine_box_svg(
    session: SessionDep, access: AccessDep, registry: RegistryDep, period: Period, agency_id: Agency = None
) -> Response:
    """The 9-box across agencies as an SVG picture for reports."""
    grid = await national_nine_box(session, access, registry, period, agency_id)
    return Response(
        national_nine_box_svg(grid), media_type="image/svg+xml", headers={"Cache-Control": "private, max-age=60"}
    )
