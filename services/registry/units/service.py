"""Unit use cases: the organisation tree of an agency, kept a tree and kept inside its agency."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.etag import require_if_match
from services.common.pagination import PageParams, make_page
from services.registry.access import Scope
from services.registry.agencies.service import get_visible_agency
from services.registry.errors import invalid_body_field, not_found
from services.registry.paging import after_id
from services.registry.persistence import apply_changes
from services.registry.units.models import Unit
from services.registry.units.repository import UnitRepository
from services.registry.units.schemas import UnitCreate, UnitUpdate

MAX_TREE_DEPTH = 64  # far deeper than any real organisation; stops a walk over corrupt data


async def get_visible_unit(session: AsyncSession, scope: Scope, unit_id: str, *, for_update: bool = False) -> Unit:
    """The unit, if the caller may see it; 404 otherwise."""
    unit = await UnitRepository(session).get(unit_id, for_update=for_update)
    if unit is None or not scope.sees_agency(unit.agency_id):
        raise not_found("unit", unit_id)
    return unit


async def require_unit_of_agency(session: AsyncSession, unit_id: str, agency_id: str, field: str) -> None:
    """422 naming `field` unless `unit_id` is a unit of `agency_id` (another agency's looks missing)."""
    found = await UnitRepository(session).parent_of(unit_id)
    if found is None or found[0] != agency_id:
        raise invalid_body_field(field, "no such unit in this agency", code="unknown_unit")


async def create_unit(session: AsyncSession, scope: Scope, agency_ref: str, data: UnitCreate) -> Unit:
    """Add a unit to an agency, under a parent of the same agency."""
    agency = await get_visible_agency(session, scope, agency_ref)
    if data.parent_id is not None:
        await require_unit_of_agency(session, data.parent_id, agency.id, "parent_id")
    unit = Unit(**data.model_dump(), agency_id=agency.id, created_by=scope.actor, updated_by=scope.actor)
    return await UnitRepository(session).add(unit)


async def list_units(
    session: AsyncSession, scope: Scope, agency_ref: str, page: PageParams, parent_id: str | None
) -> tuple[list[Unit], str | None]:
    """An agency's units in id order (the children of `parent_id` when given)."""
    agency = await get_visible_agency(session, scope, agency_ref)
    after = after_id(page)
    rows = await UnitRepository(session).list(agency.id, after=after, limit=page.limit + 1, parent_id=parent_id)
    return make_page(rows, page, lambda u: [u.id])


async def update_unit(
    session: AsyncSession, scope: Scope, unit_id: str, data: UnitUpdate, if_match: str | None
) -> Unit:
    """Rename, recode or move a unit; a move may not create a cycle or leave the agency."""
    unit = await get_visible_unit(session, scope, unit_id, for_update=True)
    require_if_match(if_match, unit.version)
    changes = data.changes()
    new_parent = changes.get("parent_id")
    if new_parent is not None and new_parent != unit.parent_id:
        await require_unit_of_agency(session, new_parent, unit.agency_id, "parent_id")
        await _refuse_cycle(session, unit.id, new_parent)
    if apply_changes(unit, changes, scope.actor):
        await UnitRepository(session).save()
    return unit


async def _refuse_cycle(session: AsyncSession, unit_id: str, new_parent: str) -> None:
    repository = UnitRepository(session)
    node: str | None = new_parent
    for _ in range(MAX_TREE_DEPTH):
        if node is None:
            return
        if node == unit_id:
            raise invalid_body_field("parent_id", "would make the unit its own ancestor", code="unit_cycle")
        found = await repository.parent_of(node)
        node = found[1] if found else None
    raise invalid_body_field("parent_id", "the unit tree is deeper than allowed", code="unit_tree_too_deep")
