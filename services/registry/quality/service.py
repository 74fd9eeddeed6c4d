"""Data-quality use cases: an agency's figures, or every visible agency's with the totals, for a period."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.access import Scope
from services.registry.agencies.service import get_visible_agency
from services.registry.exports.service import years_before
from services.registry.quality.repository import COUNTS, AgencyCounts, QualityRepository
from services.registry.quality.schemas import (
    AgencyQuality,
    AgencyQualityReport,
    NationalQualityReport,
    QualityBasis,
    quality_counts,
)


def basis(period: int, max_age_years: int) -> QualityBasis:
    """The day and the staleness limit of a period's figures (the engine's rule: before the limit is stale)."""
    as_of = dt.date(period, 12, 31)
    return QualityBasis(
        period=period, as_of=as_of, max_age_years=max_age_years, stale_before=years_before(as_of, max_age_years)
    )


def _agency(row: AgencyCounts) -> AgencyQuality:
    counts = quality_counts(row.counts)
    return AgencyQuality(agency_id=row.agency_id, code=row.code, name=row.name, region=row.region, **dict(counts))


async def agency_quality(
    session: AsyncSession, scope: Scope, agency_ref: str, period: int, max_age_years: int
) -> AgencyQualityReport:
    """One agency's figures; 404 outside the caller's scope."""
    agency = await get_visible_agency(session, scope, agency_ref)
    when = basis(period, max_age_years)
    rows = await QualityRepository(session).counts(
        agency_id=agency.id, as_of=when.as_of, year=period, stale_before=when.stale_before
    )
    return AgencyQualityReport(**dict(when), **dict(_agency(rows[0])))


async def national_quality(
    session: AsyncSession, scope: Scope, period: int, max_age_years: int
) -> NationalQualityReport:
    """Every agency the caller sees (an agency-bound caller: its own) and the totals over them."""
    when = basis(period, max_age_years)
    rows = await QualityRepository(session).counts(
        agency_id=scope.agency_id, as_of=when.as_of, year=period, stale_before=when.stale_before
    )
    totals = {name: sum(row.counts[name] for row in rows) for name in COUNTS}
    return NationalQualityReport(**dict(when), totals=quality_counts(totals), agencies=[_agency(row) for row in rows])
