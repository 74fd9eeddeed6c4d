"""Agencies named by id or code (resolved through the registry, cached), checked against the caller's scope."""

from __future__ import annotations

from collections.abc import Sequence

from services.common.errors import NotFound
from services.scoring.access import Access
from services.scoring.errors import invalid_field
from services.scoring.registry import AgencyRef, Registry


async def visible_agency(registry: Registry, access: Access, ref: str) -> AgencyRef:
    """The agency a path or query names; 404 when unknown or outside the caller's scope (alike)."""
    agency = await registry.agency(ref)
    if agency is None or not access.sees_agency(agency.id):
        raise NotFound(f"No agency {ref!r}.", code="agency_not_found")
    return agency


async def body_agency(registry: Registry, access: Access, ref: str | None, loc: Sequence[str]) -> AgencyRef:
    """The agency a body names (default: the caller's own); 422 naming the field when unknown or out of scope."""
    if ref is None:
        if access.agency_id is None:
            raise invalid_field(loc, "required for a national caller")
        ref = access.agency_id
    agency = await registry.agency(ref)
    if agency is None or not access.sees_agency(agency.id):
        raise invalid_field(loc, f"no agency {ref!r}", code="unknown_agency")
    return agency
