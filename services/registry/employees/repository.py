"""SQL for employees and their effective-dated histories."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.common.db import utcnow
from services.registry.employees.models import (
    EducationHistory,
    Employee,
    HistoryColumns,
    PositionHistory,
    RankHistory,
    TrainingHistory,
)
from services.registry.persistence import flush

H = TypeVar("H", RankHistory, PositionHistory, EducationHistory, TrainingHistory)


@dataclass(frozen=True)
class EmployeeFilter:
    """What an employee list is restricted to (deleted people are never listed)."""

    agency_id: str | None = None
    unit_id: str | None = None
    nip: str | None = None  # exactly this person (employee principals)
    q: str | None = None  # name contains, or NIP starts with


# The hottest query of the service, built once: a Core select answers a mapping without an ORM identity map.
_EMPLOYEE_BY_NIP = select(Employee.__table__).where(Employee.nip == bindparam("nip"), Employee.deleted_at.is_(None))
# The same query as asyncpg SQL ($1) for EmployeeReader.
_EMPLOYEE_BY_NIP_ASYNCPG = str(_EMPLOYEE_BY_NIP.compile(dialect=asyncpg_dialect()))  # type: ignore[no-untyped-call]


def _like_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class EmployeeReader:
    """Reads of one employee to answer a GET, the service's most frequent request.

    On PostgreSQL they go through a small pool of the driver itself (services.registry.readpool): no
    session, no SQLAlchemy checkout, a statement the driver keeps prepared; that halves the request's cost.
    The columns come back as the ORM would give them (dates as dates, timestamps aware in UTC, as the
    connection's time zone is UTC). Elsewhere (SQLite, tests) a short session runs the same select."""

    def __init__(self, pool: asyncpg.Pool | None, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.pool = pool
        self.sessions = sessions

    async def employee(self, nip: str) -> Mapping[str, Any] | None:
        """The (not deleted) employee's columns, or None."""
        if self.pool is not None:
            async with self.pool.acquire() as connection:
                record = await connection.fetchrow(_EMPLOYEE_BY_NIP_ASYNCPG, nip)
            return None if record is None else dict(record.items())
        async with self.sessions() as session:
            return await EmployeeRepository(session).read(nip)


class EmployeeRepository:
    """Reads and writes of employees and their history tables."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, nip: str, *, for_update: bool = False, include_deleted: bool = False) -> Employee | None:
        """The employee with this NIP (soft-deleted ones only when asked)."""
        query = select(Employee).where(Employee.nip == nip)
        if not include_deleted:
            query = query.where(Employee.deleted_at.is_(None))
        if for_update:
            query = query.with_for_update()
        return (await self.session.execute(query)).scalar_one_or_none()

    async def read(self, nip: str) -> Mapping[str, Any] | None:
        """The (not deleted) employee's columns, for answering a read."""
        connection = await self.session.connection()  # a Core select: none of the ORM's machinery needed
        row = (await connection.execute(_EMPLOYEE_BY_NIP, {"nip": nip})).mappings().first()
        return None if row is None else dict(row)

    async def agency_of(self, nip: str) -> str | None:
        """The agency of a (not deleted) employee, without loading the row."""
        query = select(Employee.agency_id).where(Employee.nip == nip, Employee.deleted_at.is_(None))
        return (await self.session.execute(query)).scalar_one_or_none()

    async def list(self, where: EmployeeFilter, *, after: str | None, limit: int) -> Sequence[Employee]:
        """Employees in NIP order after `after`, restricted by `where`."""
        query = select(Employee).where(Employee.deleted_at.is_(None)).order_by(Employee.nip).limit(limit)
        if where.agency_id is not None:
            query = query.where(Employee.agency_id == where.agency_id)
        if where.unit_id is not None:
            query = query.where(Employee.unit_id == where.unit_id)
        if where.nip is not None:
            query = query.where(Employee.nip == where.nip)
        if where.q:
            name_match = Employee.name.ilike(f"%{_like_escape(where.q)}%", escape="\\")
            query = query.where(
                or_(name_match, Employee.nip.startswith(where.q, autoescape=True)) if where.q.isdigit() else name_match
            )
        if after is not None:
            query = query.where(Employee.nip > after)
        return (await self.session.execute(query)).scalars().all()

    async def add(self, employee: Employee) -> Employee:
        """Insert an employee; 409 when the NIP exists (a concurrent create won)."""
        self.session.add(employee)
        await flush(self.session, conflict_code="employee_exists", conflict_detail="An employee with this NIP exists.")
        return employee

    async def save(self) -> None:
        """Write pending changes (bumps the version; 412 on a lost update)."""
        await flush(self.session)

    async def current(self, model: type[H], nip: str) -> H | None:
        """The open (current) history row of a person, if any."""
        query = select(model).where(model.nip == nip, model.valid_to.is_(None))
        return (await self.session.execute(query)).scalar_one_or_none()

    async def close_current(self, model: type[HistoryColumns], nip: str, on: dt.date, actor: str) -> None:
        """End the person's current row of `model` on `on` (exclusive); the row itself is kept."""
        table = model.__table__  # type: ignore[attr-defined]
        await self.session.execute(
            update(table)
            .where(table.c.nip == nip, table.c.valid_to.is_(None))
            .values(valid_to=on, updated_by=actor, updated_at=utcnow(), version=table.c.version + 1)
        )

    def open(self, *rows: HistoryColumns) -> None:
        """Add new history rows (written at the next flush)."""
        self.session.add_all(rows)

    async def history(self, model: type[H], nip: str) -> Sequence[H]:
        """Every row of a person's history of `model`, oldest first."""
        query = select(model).where(model.nip == nip).order_by(model.valid_from, model.created_at)
        return (await self.session.execute(query)).scalars().all()
