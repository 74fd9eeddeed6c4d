"""/v1/data-quality and /v1/agencies/{agency_id}/data-quality: the share of people whose scoring inputs are complete."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from services.common.errors import problem_responses
from services.registry.dependencies import ReadSessionDep, ScopeDep
from services.registry.quality import service
from services.registry.quality.schemas import AgencyQualityReport, NationalQualityReport

router = APIRouter(tags=["data quality"])
Period = Annotated[int, Query(ge=1990, le=2100, description="Review period Y (inputs as of 31 December Y)")]
# No default on purpose: the maximum input age is a policy value, and policies live in scoring.
MaxAge = Annotated[int, Query(ge=0, le=50, description="Maximum input age in years (the scoring policy's value)")]


@router.get("/v1/data-quality", response_model=NationalQualityReport, responses=problem_responses(401, 422))
async def national_quality(
    session: ReadSessionDep, scope: ScopeDep, period: Period, max_age_years: MaxAge
) -> NationalQualityReport:
    """Data quality of every agency the caller sees (agency-bound callers: their own) and the totals."""
    return await service.national_quality(session, scope, period, max_age_years)


@router.get(
    "/v1/agencies/{agency_id}/data-quality",
    response_model=AgencyQualityReport,
    responses=problem_responses(401, 404, 422),
)
async def agency_quality(
    agency_id: str, session: ReadSessionDep, scope: ScopeDep, period: Period, max_age_years: MaxAge
) -> AgencyQualityReport:
    """Data quality of one agency (id or code) for a period."""
    return await service.agency_quality(session, scope, agency_id, period, max_age_years)
