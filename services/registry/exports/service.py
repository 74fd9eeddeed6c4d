"""Scoring-inputs use case: who may read which agency's inputs, and the parameters of the export."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.common.db import is_postgres
from services.common.errors import Forbidden, invalid
from services.registry.access import Scope
from services.registry.agencies.service import resolve_filter_agency
from services.registry.exports.query import COLUMNS, scoring_inputs_sql
from services.registry.exports.repository import stream_csv
from services.registry.positions.rules import POSITION_LEVELS


@dataclass(frozen=True)
class ExportRequest:
    """What the caller asked for (DESIGN.md "Scoring inputs")."""

    agency_ref: str | None
    period: int
    as_of: dt.date | None
    levels: str | None
    sanction_lookback_years: int
    award_lookback_years: int


def years_before(day: dt.date, years: int) -> dt.date:
    """The same day `years` earlier; 29 February falls on 1 March in a year without one (the engine's rule)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return dt.date(day.year - years, 3, 1)


def query_params(request: ExportRequest) -> dict[str, object]:
    """The SELECT's parameters for a request, but its agency: the day, the two years and the look-backs' starts."""
    as_of = request.as_of or dt.date(request.period, 12, 31)
    return {
        "as_of": as_of,
        "year": request.period,
        "prev_year": request.period - 1,
        "sanction_since": years_before(as_of, request.sanction_lookback_years),
        "award_since": years_before(as_of, request.award_lookback_years),
    }


def parse_levels(levels: str | None) -> list[str] | None:
    """The comma list of position levels; 422 naming `levels` for an unknown one."""
    if levels is None or not levels.strip():
        return None
    names = [name.strip() for name in levels.split(",") if name.strip()]
    unknown = [name for name in names if name not in POSITION_LEVELS]
    if unknown:
        raise invalid(
            ["query", "levels"], f"unknown level(s) {', '.join(unknown)}; one of {', '.join(POSITION_LEVELS)}"
        )
    return names


async def scoring_inputs(
    session: AsyncSession, maker: async_sessionmaker[AsyncSession], scope: Scope, request: ExportRequest
) -> AsyncIterator[bytes]:
    """Check the request now (errors before any byte is sent), then answer the CSV stream."""
    if scope.employee_only:
        raise Forbidden("Scoring inputs are for the scoring service and administrators.", code="export_forbidden")
    agency_id = await resolve_filter_agency(session, scope, request.agency_ref)
    levels = parse_levels(request.levels)
    params = query_params(request)
    if agency_id is not None:
        params["agency"] = agency_id
    # A levels export reads few people (found through position_history.level): on PostgreSQL each one's rows are
    # looked up through the indexes (LATERAL) rather than windowed over whole history tables.
    per_person = bool(levels) and is_postgres(session)
    query = scoring_inputs_sql(by_agency=agency_id is not None, levels=levels, per_person=per_person)
    return stream_csv(maker, query, params, COLUMNS)
