"""/v1/employees/{nip}/performance-ratings: a year's SKP rating and predikat; replacing keeps the old version."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from starlette.responses import Response

from services.common.db import SessionDep
from services.common.errors import problem_responses
from services.common.pagination import Page, PageDep
from services.registry.dependencies import IfMatch, ReadSessionDep, ScopeDep
from services.registry.employees.router import Nip
from services.registry.ratings import service
from services.registry.ratings.schemas import PerformanceRatingPut, PerformanceRatingRead
from services.registry.responses import json_response

router = APIRouter(prefix="/v1/employees/{nip}/performance-ratings", tags=["performance ratings"])
Year = Annotated[int, Path(ge=1990, le=2100, description="The rating year")]


@router.put(
    "/{year}",
    response_model=PerformanceRatingRead,
    status_code=200,
    responses={
        201: {"description": "Created", "model": PerformanceRatingRead},
        **problem_responses(401, 403, 404, 409, 412, 422, 428),
    },
)
async def put_rating(
    nip: Nip, year: Year, data: PerformanceRatingPut, session: SessionDep, scope: ScopeDep, if_match: IfMatch = None
) -> Response:
    """Record a year's rating (201) or replace it (200, send If-Match); a replaced rating is kept, superseded."""
    rating, created = await service.put_rating(session, scope, nip, year, data, if_match)
    return json_response(
        PerformanceRatingRead.model_validate(rating), status_code=201 if created else 200, version=rating.version
    )


@router.get("/{year}", response_model=PerformanceRatingRead, responses=problem_responses(401, 404))
async def get_rating(nip: Nip, year: Year, session: ReadSessionDep, scope: ScopeDep) -> Response:
    """Read the current rating of a year."""
    rating = await service.get_rating(session, scope, nip, year)
    return json_response(PerformanceRatingRead.model_validate(rating), version=rating.version)


@router.get("", response_model=Page[PerformanceRatingRead], responses=problem_responses(401, 404, 422))
async def list_ratings(
    nip: Nip,
    session: ReadSessionDep,
    scope: ScopeDep,
    page: PageDep,
    include_superseded: Annotated[bool, Query(description="Also the replaced versions")] = False,
) -> Response:
    """List a person's ratings by year (every version with `include_superseded`)."""
    items, cursor = await service.list_ratings(session, scope, nip, page, include_superseded)
    body = Page[PerformanceRatingRead](
        items=[PerformanceRatingRead.model_validate(r) for r in items], next_cursor=cursor
    )
    return json_response(body)
