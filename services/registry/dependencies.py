"""FastAPI dependencies of the registry: the caller's scope and the If-Match header."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header

from services.common.db import SessionDep
from services.common.ids import is_uuid
from services.common.service_token import Caller
from services.registry.access import Scope, scope_of
from services.registry.agencies.repository import AgencyRepository


async def get_scope(caller: Caller, session: SessionDep) -> Scope:
    """The caller's scope; a token naming its agency by code is resolved to the id (unknown: sees nothing)."""
    agency_id = caller.agency_id
    if agency_id is not None and not is_uuid(agency_id):
        agency_id = await AgencyRepository(session).id_of(agency_id) or f"unknown:{agency_id}"
    return scope_of(caller, agency_id)


ScopeDep = Annotated[Scope, Depends(get_scope)]
IfMatch = Annotated[
    str | None, Header(alias="If-Match", description="The ETag last read; required to change or delete")
]
