"""Employee use cases: register by NIP, read, list, change (with dated history), delete softly."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.db import utcnow
from services.common.errors import Conflict
from services.common.etag import require_if_match
from services.common.pagination import PageParams, make_page
from services.registry.access import Scope
from services.registry.agencies.service import resolve_body_agency, resolve_filter_agency
from services.registry.clock import today
from services.registry.employees import changes as dated
from services.registry.employees.models import (
    EducationHistory,
    Employee,
    HistoryColumns,
    PositionHistory,
    RankHistory,
    TrainingHistory,
)
from services.registry.employees.repository import EmployeeFilter, EmployeeReader, EmployeeRepository
from services.registry.employees.rules import parse_nip, rank_problem, retirement_date
from services.registry.employees.schemas import EmployeeCreate, EmployeeUpdate
from services.registry.errors import invalid_body_field, not_found
from services.registry.paging import after_id
from services.registry.persistence import apply_changes
from services.registry.positions.models import Position
from services.registry.positions.repository import PositionRepository
from services.registry.units.service import require_unit_of_agency


async def get_visible_employee(session: AsyncSession, scope: Scope, nip: str, *, for_update: bool = False) -> Employee:
    """The (not deleted) employee, if the caller may see them; 404 otherwise."""
    employee = await EmployeeRepository(session).get(nip, for_update=for_update)
    if employee is None or not scope.sees_employee(employee.agency_id, employee.nip):
        raise not_found("employee", nip)
    return employee


async def read_visible_employee(reader: EmployeeReader, scope: Scope, nip: str) -> Mapping[str, Any]:
    """The (not deleted) employee's columns for a read, if the caller may see them; 404 otherwise."""
    row = await reader.employee(nip)
    if row is None or not scope.sees_employee(row["agency_id"], nip):
        raise not_found("employee", nip)
    return row


async def require_visible_employee(session: AsyncSession, scope: Scope, nip: str) -> None:
    """404 unless the employee exists and the caller may see them (cheap: loads only the agency)."""
    agency_id = await EmployeeRepository(session).agency_of(nip)
    if agency_id is None or not scope.sees_employee(agency_id, nip):
        raise not_found("employee", nip)


def check_against_nip(nip: str, birth_date: dt.date | None, gender: str | None) -> None:
    """422 naming the field when a given birth date or gender contradicts the NIP."""
    facts = parse_nip(nip)
    if birth_date is not None and birth_date != facts.birth_date:
        raise invalid_body_field("birth_date", f"differs from the NIP's birth date {facts.birth_date.isoformat()}")
    if gender is not None and gender != facts.gender:
        raise invalid_body_field("gender", f"differs from the NIP's gender digit ({facts.gender})")


def check_rank(rank: str | None, employment_type: str, field: str) -> None:
    """422 naming `field` when the rank does not fit the employment type."""
    problem = rank_problem(rank, employment_type) if rank is not None else None
    if problem is not None:
        raise invalid_body_field(field, problem, code="rank_mismatch")


async def position_of_agency(session: AsyncSession, position_id: str, agency_id: str, field: str) -> Position:
    """The position, which must belong to `agency_id`; else 422 naming `field` (another agency's looks missing)."""
    position = await PositionRepository(session).get(position_id)
    if position is None or position.agency_id != agency_id:
        raise invalid_body_field(field, "no such position in this agency", code="unknown_position")
    return position


async def _refuse_existing(repository: EmployeeRepository, nip: str, agency_id: str) -> None:
    existing = await repository.get(nip, include_deleted=True)
    if existing is None:
        return
    if existing.agency_id != agency_id:
        raise Conflict(
            "This NIP belongs to an employee of another agency; ask for a transfer instead.",
            code="nip_in_other_agency",
        )
    if existing.deleted_at is not None:
        raise Conflict("This NIP belongs to a deleted employee of this agency.", code="employee_deleted")
    raise Conflict("An employee with this NIP exists in this agency.", code="employee_exists")


async def create_employee(session: AsyncSession, scope: Scope, data: EmployeeCreate) -> Employee:
    """Register an employee with their first position, rank and education rows."""
    check_against_nip(data.nip, data.birth_date, data.gender)
    check_rank(data.rank, data.employment_type, "rank")
    agency_id = await resolve_body_agency(session, scope, data.agency_id)
    repository = EmployeeRepository(session)
    await _refuse_existing(repository, data.nip, agency_id)
    position = (
        await position_of_agency(session, data.position_id, agency_id, "position_id") if data.position_id else None
    )
    unit_id = data.unit_id or (position.unit_id if position else None)
    if unit_id is not None:
        await require_unit_of_agency(session, unit_id, agency_id, "unit_id")
    facts = parse_nip(data.nip)
    employee = Employee(
        **data.model_dump(include={"nip", "name", "employment_type", "email", "phone"}),
        agency_id=agency_id,
        unit_id=unit_id,
        birth_date=facts.birth_date,
        gender=facts.gender,
        retirement_date=retirement_date(facts.birth_date, None),
        created_by=scope.actor,
        updated_by=scope.actor,
    )
    rows = await _first_records(session, employee, data, position, scope.actor)
    await repository.add(employee)  # flushed first: the history rows name it
    repository.open(*rows)
    await repository.save()
    return employee


async def _first_records(
    session: AsyncSession, employee: Employee, data: EmployeeCreate, position: Position | None, actor: str
) -> list[HistoryColumns]:
    rows: list[HistoryColumns | None] = []
    if position is not None:
        since = data.position_since or today()
        rows.append(
            await dated.change_position(
                session, employee, position, employee.unit_id, since, actor, level_since=data.level_since
            )
        )
    if data.rank is not None:
        rows.append(await dated.change_rank(session, employee, data.rank, data.rank_since or today(), actor))
    if data.education_level is not None:
        rows.append(await dated.change_education(session, employee, data.education_level, today(), actor))
    return [row for row in rows if row is not None]


async def list_employees(
    session: AsyncSession, scope: Scope, page: PageParams, agency_ref: str | None, unit_id: str | None, q: str | None
) -> tuple[list[Employee], str | None]:
    """Employees the caller may see, in NIP order; `q` matches a name part or a NIP prefix."""
    agency_id = await resolve_filter_agency(session, scope, agency_ref)
    where = EmployeeFilter(agency_id=agency_id, unit_id=unit_id, nip=scope.own_nip, q=q)
    after = after_id(page)
    rows = await EmployeeRepository(session).list(where, after=after, limit=page.limit + 1)
    return make_page(rows, page, lambda e: [e.nip])


async def update_employee(
    session: AsyncSession, scope: Scope, nip: str, data: EmployeeUpdate, if_match: str | None
) -> Employee:
    """Change an employee; position, rank and education changes are dated history, never overwrites."""
    employee = await get_visible_employee(session, scope, nip, for_update=True)
    require_if_match(if_match, employee.version)
    changes: dict[str, Any] = data.changes()
    check_against_nip(nip, changes.pop("birth_date", None), changes.pop("gender", None))
    await _dated_changes(session, employee, changes, scope.actor)
    if changes.get("unit_id") is not None:
        await require_unit_of_agency(session, changes["unit_id"], employee.agency_id, "unit_id")
    rank_field = "rank" if "rank" in changes else "employment_type"
    check_rank(employee.rank, changes.get("employment_type", employee.employment_type), rank_field)
    changed = apply_changes(employee, changes, scope.actor)
    if changed or employee in session.dirty:
        employee.updated_by = scope.actor
        await EmployeeRepository(session).save()
    return employee


async def _dated_changes(session: AsyncSession, employee: Employee, changes: dict[str, Any], actor: str) -> None:
    """Apply (and remove from `changes`) the position, rank and education changes, each as a history row."""
    rows: list[HistoryColumns | None] = []
    position_since, rank_since = changes.pop("position_since", None), changes.pop("rank_since", None)
    level_since = changes.pop("level_since", None)
    new_position = changes.pop("position_id", employee.position_id)
    if new_position != employee.position_id:
        position = (
            await position_of_agency(session, new_position, employee.agency_id, "position_id") if new_position else None
        )
        unit_id = changes.pop("unit_id", position.unit_id if position else None)
        if unit_id is not None:
            await require_unit_of_agency(session, unit_id, employee.agency_id, "unit_id")
        since = position_since or today()
        rows.append(
            await dated.change_position(session, employee, position, unit_id, since, actor, level_since=level_since)
        )
    elif position_since is not None:
        raise invalid_body_field("position_since", "can change only with a new position_id", code="date_without_change")
    elif level_since is not None:
        employee.level_since = level_since
    new_rank = changes.pop("rank", employee.rank)
    if new_rank != employee.rank:
        check_rank(new_rank, changes.get("employment_type", employee.employment_type), "rank")
        rows.append(await dated.change_rank(session, employee, new_rank, rank_since or today(), actor))
    elif rank_since is not None:
        raise invalid_body_field("rank_since", "can change only with a new rank", code="date_without_change")
    new_education = changes.pop("education_level", employee.education_level)
    if new_education != employee.education_level:
        rows.append(await dated.change_education(session, employee, new_education, today(), actor))
    EmployeeRepository(session).open(*(row for row in rows if row is not None))


async def delete_employee(session: AsyncSession, scope: Scope, nip: str, if_match: str | None) -> None:
    """Soft-delete an employee: gone from reads and lists, their history kept."""
    employee = await get_visible_employee(session, scope, nip, for_update=True)
    require_if_match(if_match, employee.version)
    employee.deleted_at, employee.deleted_by, employee.updated_by = utcnow(), scope.actor, scope.actor
    await EmployeeRepository(session).save()


async def employee_history(session: AsyncSession, scope: Scope, nip: str) -> dict[str, Any]:
    """A person's rank, position, education and training rows, oldest first."""
    await require_visible_employee(session, scope, nip)
    repository = EmployeeRepository(session)
    return {
        "nip": nip,
        "ranks": await repository.history(RankHistory, nip),
        "positions": await repository.history(PositionHistory, nip),
        "education": await repository.history(EducationHistory, nip),
        "trainings": await repository.history(TrainingHistory, nip),
    }
