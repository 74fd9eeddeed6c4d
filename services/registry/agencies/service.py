"""Agency use cases: register, read, list and rename, within the caller's scope."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.etag import require_if_match
from services.common.pagination import PageParams, make_page
from services.registry.access import Scope
from services.registry.agencies.models import Agency
from services.registry.agencies.repository import AgencyRepository
from services.registry.agencies.schemas import AgencyCreate, AgencyUpdate
from services.registry.errors import invalid_body_field, not_found
from services.registry.paging import after_id
from services.registry.persistence import apply_changes


async def get_visible_agency(
    session: AsyncSession, scope: Scope, id_or_code: str, *, for_update: bool = False
) -> Agency:
    """The agency named by id or code, if the caller may see it; 404 otherwise."""
    agency = await AgencyRepository(session).get(id_or_code, for_update=for_update)
    if agency is None or not scope.sees_agency(agency.id):
        raise not_found("agency", id_or_code)
    return agency


async def create_agency(session: AsyncSession, scope: Scope, data: AgencyCreate) -> Agency:
    """Register an agency (national callers only); 409 when the code is taken."""
    scope.require_national("register agencies")
    agency = Agency(**data.model_dump(), created_by=scope.actor, updated_by=scope.actor)
    return await AgencyRepository(session).add(agency)


async def list_agencies(session: AsyncSession, scope: Scope, page: PageParams) -> tuple[list[Agency], str | None]:
    """The agencies the caller may see, in id order."""
    after = after_id(page)
    rows = await AgencyRepository(session).list(after=after, limit=page.limit + 1, only_id=scope.agency_id)
    return make_page(rows, page, lambda a: [a.id])


async def update_agency(
    session: AsyncSession, scope: Scope, id_or_code: str, data: AgencyUpdate, if_match: str | None
) -> Agency:
    """Change an agency's name or region; needs the ETag last read."""
    agency = await get_visible_agency(session, scope, id_or_code, for_update=True)
    require_if_match(if_match, agency.version)
    if apply_changes(agency, data.changes(), scope.actor):
        await AgencyRepository(session).save()
    return agency


async def resolve_body_agency(session: AsyncSession, scope: Scope, ref: str | None, field: str = "agency_id") -> str:
    """The id of the agency a body names (default: the caller's); 422 naming `field` if unknown or out of scope."""
    if ref is None:
        if scope.agency_id is None:
            raise invalid_body_field(field, "required for a national caller")
        return scope.agency_id
    agency_id = await AgencyRepository(session).id_of(ref)
    if agency_id is None or not scope.sees_agency(agency_id):
        raise invalid_body_field(field, "no such agency", code="unknown_agency")
    return agency_id


async def resolve_filter_agency(session: AsyncSession, scope: Scope, ref: str | None) -> str | None:
    """The agency a list is restricted to: the one named (404 if unseen), else the caller's own (None: all)."""
    if ref is None:
        return scope.agency_id
    return (await get_visible_agency(session, scope, ref)).id
