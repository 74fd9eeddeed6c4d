"""Transfers: a person moves to a position of another agency, with their history (national callers only)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.access import Scope
from services.registry.agencies.service import resolve_body_agency
from services.registry.employees import changes as dated
from services.registry.employees.models import Employee
from services.registry.employees.repository import EmployeeRepository
from services.registry.employees.schemas import TransferCreate
from services.registry.employees.service import get_visible_employee, position_of_agency
from services.registry.units.service import require_unit_of_agency


@dataclass(frozen=True)
class Transfer:
    """The outcome of a transfer."""

    employee: Employee
    from_agency_id: str


async def transfer_employee(session: AsyncSession, scope: Scope, nip: str, data: TransferCreate) -> Transfer:
    """Move the person to `position_id` of `agency_id` from `effective_on`; their records stay theirs."""
    scope.require_national("transfer employees between agencies")
    employee = await get_visible_employee(session, scope, nip, for_update=True)
    from_agency_id = employee.agency_id
    agency_id = await resolve_body_agency(session, scope, data.agency_id)
    position = await position_of_agency(session, data.position_id, agency_id, "position_id")
    unit_id = data.unit_id or position.unit_id
    await require_unit_of_agency(session, unit_id, agency_id, "unit_id")
    row = await dated.change_position(
        session, employee, position, unit_id, data.effective_on, scope.actor, field="effective_on"
    )
    employee.updated_by = scope.actor
    repository = EmployeeRepository(session)
    repository.open(*([row] if row else []))
    await repository.save()
    return Transfer(employee=employee, from_agency_id=from_agency_id)
