"""FastAPI dependencies of the registry: the caller's scope, the If-Match header, the settings."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Header, Request
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.common.ids import is_uuid
from services.common.service_token import get_caller
from services.registry.access import Scope, scope_of
from services.registry.agencies.repository import AgencyRepository
from services.registry.employees.repository import EmployeeReader
from services.registry.settings import RegistrySettings


def read_sessionmaker(request: Request) -> async_sessionmaker[AsyncSession]:
    """Sessions for reading: autocommit on PostgreSQL (no BEGIN/COMMIT round trips), else the app's sessions."""
    maker: async_sessionmaker[AsyncSession] | None = getattr(request.app.state, "read_sessionmaker", None)
    return maker or request.app.state.sessionmaker


async def get_read_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One session for a read-only request; nothing is written, so nothing is committed."""
    async with read_sessionmaker(request)() as session:
        yield session


ReadSessionDep = Annotated[AsyncSession, Depends(get_read_session)]


async def get_employee_reader(request: Request) -> EmployeeReader:
    """The reader behind GET /v1/employees/{nip}: the app's driver pool when it has one (no session to close)."""
    return EmployeeReader(getattr(request.app.state, "read_pool", None), read_sessionmaker(request))


async def get_scope(request: Request) -> Scope:
    """The verified caller's scope (401 without a valid service token); a token naming its agency by code is
    resolved to the id (an unknown code sees nothing)."""
    caller = await get_caller(request)  # called directly: one dependency less on every request
    agency_id = caller.agency_id
    if agency_id is not None and not is_uuid(agency_id):
        async with read_sessionmaker(request)() as session:
            agency_id = await AgencyRepository(session).id_of(agency_id) or f"unknown:{agency_id}"
    return scope_of(caller, agency_id)


ScopeDep = Annotated[Scope, Depends(get_scope)]
IfMatch = Annotated[
    str | None, Header(alias="If-Match", description="The ETag last read; required to change or delete")
]


async def get_registry_settings(request: Request) -> RegistrySettings:
    """The settings the app was created with."""
    settings: RegistrySettings = request.app.state.settings
    return settings


SettingsDep = Annotated[RegistrySettings, Depends(get_registry_settings)]
