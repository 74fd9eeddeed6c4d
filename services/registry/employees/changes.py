"""Dated changes of a person's position, rank and education: close the current history row, open a new one.

Only API calls (a person's change) come here, so the rows opened are `manual`, whatever the source of the
person's earlier rows; imports and SIASN write their history through the set-based upserts.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.employees.models import EducationHistory, Employee, HistoryColumns, PositionHistory, RankHistory
from services.registry.employees.repository import EmployeeRepository
from services.registry.employees.rules import rank_order, retirement_date
from services.registry.errors import invalid_body_field
from services.registry.positions.models import Position
from services.registry.positions.repository import PositionRepository


async def _close(
    repository: EmployeeRepository, model: type[HistoryColumns], nip: str, on: dt.date, actor: str, field: str
) -> HistoryColumns | None:
    current = await repository.current(model, nip)  # type: ignore[type-var]
    if current is not None and on < current.valid_from:
        raise invalid_body_field(
            field, f"is before the start of the current record ({current.valid_from.isoformat()})", code="backdated"
        )
    if current is not None:
        await repository.close_current(model, nip, on, actor)
    return current


async def current_level(session: AsyncSession, employee: Employee) -> str | None:
    """The level of the position the person holds now, if any."""
    if employee.position_id is None:
        return None
    position = await PositionRepository(session).get(employee.position_id)
    return position.level if position else None


async def change_position(
    session: AsyncSession,
    employee: Employee,
    position: Position | None,
    unit_id: str | None,
    since: dt.date,
    actor: str,
    *,
    field: str = "position_since",
    level_since: dt.date | None = None,
) -> PositionHistory | None:
    """Put the person in `position` (or none) from `since`; keeps level_since across same-level moves.

    Answers the new history row for the caller to add (after the employee row exists)."""
    old_level = await current_level(session, employee)
    repository = EmployeeRepository(session)
    await _close(repository, PositionHistory, employee.nip, since, actor, field)
    new_level = position.level if position else None
    row = None
    if position is not None:
        employee.agency_id = position.agency_id
        row = PositionHistory(
            nip=employee.nip,
            agency_id=position.agency_id,
            unit_id=unit_id,
            position_id=position.id,
            level=position.level,
            valid_from=since,
            created_by=actor,
            updated_by=actor,
        )
    same_level = new_level is not None and new_level == old_level and employee.level_since is not None
    employee.position_id = position.id if position else None
    employee.unit_id = unit_id
    employee.position_since = since if position else None
    if position is None:
        employee.level_since = None
    elif level_since is not None or not same_level:
        employee.level_since = level_since or since
    employee.retirement_date = retirement_date(employee.birth_date, new_level)
    return row


async def change_rank(
    session: AsyncSession, employee: Employee, rank: str, since: dt.date, actor: str, field: str = "rank_since"
) -> RankHistory:
    """Give the person `rank` from `since`; answers the new history row for the caller to add."""
    repository = EmployeeRepository(session)
    await _close(repository, RankHistory, employee.nip, since, actor, field)
    order = rank_order(rank)
    employee.rank, employee.rank_order, employee.rank_since = rank, order, since
    return RankHistory(
        nip=employee.nip,
        rank=rank,
        rank_order=order,
        valid_from=since,
        created_by=actor,
        updated_by=actor,
    )


async def change_education(
    session: AsyncSession, employee: Employee, level: str, on: dt.date, actor: str
) -> EducationHistory:
    """Record the person's highest education level from `on`; answers the new row for the caller to add."""
    await _close(EmployeeRepository(session), EducationHistory, employee.nip, on, actor, "education_level")
    employee.education_level = level
    return EducationHistory(nip=employee.nip, level=level, valid_from=on, created_by=actor, updated_by=actor)
