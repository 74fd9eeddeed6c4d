"""Performance rating use cases: record or replace a year's rating (the old version kept), read, list."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.errors import PreconditionFailed
from services.common.etag import require_if_match
from services.common.pagination import PageParams, make_page
from services.registry.access import Scope
from services.registry.employees.service import require_visible_employee
from services.registry.errors import not_found
from services.registry.paging import cursor_key
from services.registry.ratings.models import PerformanceRating
from services.registry.ratings.repository import RatingRepository
from services.registry.ratings.rules import predikat
from services.registry.ratings.schemas import PerformanceRatingPut


async def put_rating(
    session: AsyncSession, scope: Scope, nip: str, year: int, data: PerformanceRatingPut, if_match: str | None
) -> tuple[PerformanceRating, bool]:
    """Create the year's rating (True) or replace it (False; needs If-Match), keeping the old version."""
    await require_visible_employee(session, scope, nip)
    scope.forbid_self_assessment(nip)
    repository = RatingRepository(session)
    current = await repository.current(nip, year, for_update=True)
    if current is None:
        if if_match is not None:
            raise PreconditionFailed("There is no rating for this year to match.", code="etag_mismatch")
        return await repository.add(_rating(nip, year, data, 1, scope.actor)), True
    require_if_match(if_match, current.version)
    if (current.work_result, current.work_behavior) == (data.work_result, data.work_behavior):
        return current, False  # the same rating again: nothing to supersede
    if not await repository.supersede(current, scope.actor):
        raise PreconditionFailed("The rating changed meanwhile; read it again and retry.", code="etag_mismatch")
    return await repository.add(_rating(nip, year, data, current.version + 1, scope.actor)), False


def _rating(nip: str, year: int, data: PerformanceRatingPut, version: int, actor: str) -> PerformanceRating:
    return PerformanceRating(
        nip=nip,
        year=year,
        work_result=data.work_result,
        work_behavior=data.work_behavior,
        predikat=predikat(data.work_result, data.work_behavior),
        version=version,
        created_by=actor,
        updated_by=actor,
    )


async def get_rating(session: AsyncSession, scope: Scope, nip: str, year: int) -> PerformanceRating:
    """The current rating of a year; 404 when there is none (or the person is out of scope)."""
    await require_visible_employee(session, scope, nip)
    rating = await RatingRepository(session).current(nip, year)
    if rating is None:
        raise not_found("performance_rating", f"{nip}/{year}")
    return rating


async def list_ratings(
    session: AsyncSession, scope: Scope, nip: str, page: PageParams, include_superseded: bool
) -> tuple[list[PerformanceRating], str | None]:
    """A person's ratings by year; with `include_superseded`, every version."""
    await require_visible_employee(session, scope, nip)
    after = cursor_key(page, int, int)
    rows = await RatingRepository(session).list(
        nip, include_superseded=include_superseded, after=after, limit=page.limit + 1
    )
    return make_page(rows, page, lambda r: [r.year, r.version])
