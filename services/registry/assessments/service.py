"""Competency and potential assessment use cases: record (never one's own), list, and JPM on reading."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.pagination import PageParams, make_page
from services.registry.access import Scope
from services.registry.assessments.models import CompetencyAssessment, PotentialAssessment
from services.registry.assessments.rules import jpm, potential_score
from services.registry.assessments.schemas import (
    CompetencyAssessmentCreate,
    CompetencyAssessmentRead,
    PotentialAssessmentCreate,
    PotentialAssessmentRead,
)
from services.registry.employees.repository import EmployeeRepository
from services.registry.employees.service import require_visible_employee
from services.registry.errors import invalid_body_field
from services.registry.paging import cursor_key
from services.registry.positions.repository import PositionRepository
from services.registry.positions.rules import COMPETENCIES
from services.registry.records.repository import RecordRepository
from services.registry.records.service import not_in_future, writable_employee


@dataclass(frozen=True)
class StandardUsed:
    """The competency standard a person's JPM is computed against, and where it came from."""

    levels: dict[str, int] | None
    source: str | None  # "position", "default", or None without a position
    position_id: str | None


async def standard_for(session: AsyncSession, nip: str, defaults: Mapping[str, int]) -> StandardUsed:
    """The person's current position's standard, or the default table's level for the position's level."""
    employee = await EmployeeRepository(session).get(nip)
    position = (
        await PositionRepository(session).get(employee.position_id) if employee and employee.position_id else None
    )
    if position is None:
        return StandardUsed(None, None, None)
    own = position.competency_standard
    if own is not None:
        return StandardUsed(own, "position", position.id)
    return StandardUsed(dict.fromkeys(COMPETENCIES, defaults[position.level]), "default", position.id)


def competency_read(row: CompetencyAssessment, standard: StandardUsed) -> CompetencyAssessmentRead:
    """The answer for an assessment: its levels, and JPM and band against `standard`."""
    result = jpm(row.levels(), standard.levels) if standard.levels else None
    return CompetencyAssessmentRead.model_validate(
        {
            "id": row.id,
            "nip": row.nip,
            "assessed_on": row.assessed_on,
            "levels": row.levels(),
            "jpm": result.jpm if result else None,
            "jpm_band": result.band if result else None,
            "standard_source": standard.source,
            "standard": standard.levels,
            "position_id": standard.position_id,
            "source": row.source,
            "source_fetched_at": row.source_fetched_at,
            "created_at": row.created_at,
            "created_by": row.created_by,
        }
    )


async def add_competency_assessment(
    session: AsyncSession, scope: Scope, nip: str, data: CompetencyAssessmentCreate, defaults: Mapping[str, int]
) -> CompetencyAssessmentRead:
    """Record a competency assessment and answer it with its JPM."""
    await writable_employee(session, scope, nip)
    not_in_future(data.assessed_on, "assessed_on")
    levels = {"lvl_" + code: level for code, level in data.levels.named().items()}
    row = CompetencyAssessment(
        nip=nip, assessed_on=data.assessed_on, **levels, created_by=scope.actor, updated_by=scope.actor
    )
    await RecordRepository(session).add(row)
    return competency_read(row, await standard_for(session, nip, defaults))


async def list_competency_assessments(
    session: AsyncSession, scope: Scope, nip: str, page: PageParams, defaults: Mapping[str, int]
) -> tuple[list[CompetencyAssessmentRead], str | None]:
    """A person's competency assessments, oldest first, each with its JPM against today's position."""
    await require_visible_employee(session, scope, nip)
    after = cursor_key(page, dt.date.fromisoformat, str)
    rows = await RecordRepository(session).list(
        CompetencyAssessment,
        CompetencyAssessment.assessed_on,
        nip,
        after=after,
        limit=page.limit + 1,
    )
    items, cursor = make_page(rows, page, lambda a: [a.assessed_on.isoformat(), a.id])
    standard = await standard_for(session, nip, defaults)
    return [competency_read(row, standard) for row in items], cursor


def potential_read(row: PotentialAssessment) -> PotentialAssessmentRead:
    """The answer for a potential assessment."""
    return PotentialAssessmentRead.model_validate(
        {
            "id": row.id,
            "nip": row.nip,
            "assessed_on": row.assessed_on,
            "score": row.score,
            "aspects": row.aspects(),
            "source": row.source,
            "source_fetched_at": row.source_fetched_at,
            "created_at": row.created_at,
            "created_by": row.created_by,
        }
    )


async def add_potential_assessment(
    session: AsyncSession, scope: Scope, nip: str, data: PotentialAssessmentCreate
) -> PotentialAssessmentRead:
    """Record a potential assessment; the score is given, or the mean of the 8 aspects."""
    await writable_employee(session, scope, nip)
    not_in_future(data.assessed_on, "assessed_on")
    aspects = data.aspects.model_dump() if data.aspects else None
    try:
        score = potential_score(data.score, aspects)
    except ValueError as exc:
        raise invalid_body_field("score", str(exc), code="inconsistent_score") from None
    columns = {"aspect_" + name: value for name, value in (aspects or {}).items()}
    row = PotentialAssessment(
        nip=nip, assessed_on=data.assessed_on, score=score, **columns, created_by=scope.actor, updated_by=scope.actor
    )
    await RecordRepository(session).add(row)
    return potential_read(row)


async def list_potential_assessments(
    session: AsyncSession, scope: Scope, nip: str, page: PageParams
) -> tuple[list[PotentialAssessmentRead], str | None]:
    """A person's potential assessments, oldest first."""
    await require_visible_employee(session, scope, nip)
    after = cursor_key(page, dt.date.fromisoformat, str)
    rows = await RecordRepository(session).list(
        PotentialAssessment,
        PotentialAssessment.assessed_on,
        nip,
        after=after,
        limit=page.limit + 1,
    )
    items, cursor = make_page(rows, page, lambda a: [a.assessed_on.isoformat(), a.id])
    return [potential_read(row) for row in items], cursor
