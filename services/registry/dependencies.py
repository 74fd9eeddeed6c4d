"""FastAPI dependencies of the registry: the caller's scope, the If-Match header, the settings."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request

from services.common.db import SessionDep
from services.common.ids import is_uuid
from services.common.service_token import Caller
from services.registry.access import Scope, scope_of
from services.registry.agencies.repository import AgencyRepository
from services.registry.settings import RegistrySettings


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


def get_registry_settings(request: Request) -> RegistrySettings:
    """The settings the app was created with."""
    settings: RegistrySettings = request.app.state.settings
    return settings


SettingsDep = Annotated[RegistrySettings, Depends(get_registry_settings)]
