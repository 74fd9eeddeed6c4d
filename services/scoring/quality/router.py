"""/v1/data-quality and /v1/agencies/{agency_id}/data-quality: the registry's figures under the policy's age limit."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from starlette.responses import Response

from services.common.db import SessionDep
from services.common.errors import problem_responses
from services.scoring.dependencies import AccessDep, RegistryDep
from services.scoring.quality.service import data_quality

router = APIRouter(tags=["data quality"])
Period = Annotated[int, Query(ge=1990, le=2100, description="Review period Y (inputs as of 31 December Y)")]
MaxAge = Annotated[
    int | None,
    Query(ge=0, le=50, description="Maximum input age in years (default: the policy's, 3 in permenpanrb-3-2020)"),
]
Policy = Annotated[str | None, Query(max_length=64, description="Policy whose maximum age applies (default policy)")]
ANSWER: dict[int | str, dict[str, Any]] = {
    200: {"description": "The registry's figures", "content": {"application/json": {}}}
}


@router.get("/v1/data-quality", response_class=Response, responses={**ANSWER, **problem_responses(401, 403, 422, 503)})
async def national_quality(
    session: SessionDep,
    access: AccessDep,
    registry: RegistryDep,
    period: Period,
    max_age_years: MaxAge = None,
    policy_id: Policy = None,
) -> Response:
    """Share of active people with complete scoring inputs, per agency in view and in total, and what is missing."""
    body = await data_quality(session, access, registry, None, period, max_age_years, policy_id)
    return Response(body, media_type="application/json")


@router.get(
    "/v1/agencies/{agency_id}/data-quality",
    response_class=Response,
    responses={**ANSWER, **problem_responses(401, 403, 404, 422, 503)},
)
async def agency_quality(
    agency_id: str,
    session: SessionDep,
    access: AccessDep,
    registry: RegistryDep,
    period: Period,
    max_age_years: MaxAge = None,
    policy_id: Policy = None,
) -> Response:
    """Share of one agency's active people with complete scoring inputs, and what the others lack."""
    body = await data_quality(session, access, registry, agency_id, period, max_age_years, policy_id)
    return Response(body, media_type="application/json")
