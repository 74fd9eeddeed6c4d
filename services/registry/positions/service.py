"""Position use cases: positions of an agency's units, their level, key flag and competency standard."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.errors import Conflict
from services.common.etag import require_if_match
from services.common.pagination import PageParams, make_page
from services.registry.access import Scope
from services.registry.agencies.service import resolve_body_agency, resolve_filter_agency
from services.registry.errors import invalid_body_field, not_found
from services.registry.paging import after_id
from services.registry.persistence import apply_changes
from services.registry.positions.models import Position
from services.registry.positions.repository import PositionFilter, PositionRepository
from services.registry.positions.rules import functional_level_problem, position_level
from services.registry.positions.schemas import PositionCreate, PositionUpdate
from services.registry.units.service import require_unit_of_agency


async def get_visible_position(
    session: AsyncSession, scope: Scope, position_id: str, *, for_update: bool = False
) -> Position:
    """The position, if the caller may see it; 404 otherwise."""
    position = await PositionRepository(session).get(position_id, for_update=for_update)
    if position is None or not scope.sees_agency(position.agency_id):
        raise not_found("position", position_id)
    return position


def _check_level(position_type: str, functional_level: str | None) -> str:
    problem = functional_level_problem(position_type, functional_level)
    if problem is not None:
        raise invalid_body_field("functional_level", problem)
    return position_level(position_type, functional_level)


async def create_position(session: AsyncSession, scope: Scope, data: PositionCreate) -> Position:
    """Add a position to a unit of the agency named (or the caller's own)."""
    agency_id = await resolve_body_agency(session, scope, data.agency_id)
    level = _check_level(data.position_type, data.functional_level)
    await require_unit_of_agency(session, data.unit_id, agency_id, "unit_id")
    fields = data.model_dump(exclude={"agency_id", "competency_standard"})
    position = Position(**fields, agency_id=agency_id, level=level, created_by=scope.actor, updated_by=scope.actor)
    position.set_competency_standard(data.competency_standard.named() if data.competency_standard else None)
    return await PositionRepository(session).add(position)


async def list_positions(
    session: AsyncSession,
    scope: Scope,
    page: PageParams,
    agency_ref: str | None,
    unit_id: str | None,
    is_key: bool | None,
) -> tuple[list[Position], str | None]:
    """Positions the caller may see, in id order, filtered by agency, unit and key flag."""
    agency_id = await resolve_filter_agency(session, scope, agency_ref)
    after = after_id(page)
    where = PositionFilter(agency_id=agency_id, unit_id=unit_id, is_key=is_key)
    rows = await PositionRepository(session).list(where, after=after, limit=page.limit + 1)
    return make_page(rows, page, lambda p: [p.id])


async def update_position(
    session: AsyncSession, scope: Scope, position_id: str, data: PositionUpdate, if_match: str | None
) -> Position:
    """Change a position; its level can change only while nobody holds it (their retirement age depends on it)."""
    repository = PositionRepository(session)
    position = await get_visible_position(session, scope, position_id, for_update=True)
    require_if_match(if_match, position.version)
    changes: dict[str, Any] = data.changes()
    if "position_type" in changes and changes["position_type"] != "fungsional":
        changes.setdefault("functional_level", None)  # a structural position has no functional level
    if "position_type" in changes or "functional_level" in changes:
        level = _check_level(
            changes.get("position_type", position.position_type),
            changes.get("functional_level", position.functional_level),
        )
        if level != position.level and await repository.is_held(position.id):
            raise Conflict(
                "The position is held: its level decides its holders' retirement age. Create a new position "
                "and move them instead.",
                code="position_in_use",
            )
        changes["level"] = level
    if changes.get("unit_id") is not None and changes["unit_id"] != position.unit_id:
        await require_unit_of_agency(session, changes["unit_id"], position.agency_id, "unit_id")
    if "competency_standard" in changes:
        standard = data.competency_standard.named() if data.competency_standard else None
        changes.pop("competency_standard")
        if standard != position.competency_standard:
            position.set_competency_standard(standard)
            position.updated_by = scope.actor
    if apply_changes(position, changes, scope.actor) or position in session.dirty:
        await repository.save()
    return position
