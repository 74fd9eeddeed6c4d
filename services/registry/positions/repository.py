"""SQL for positions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.employees.models import Employee
from services.registry.persistence import flush
from services.registry.positions.models import Position


@dataclass(frozen=True)
class PositionFilter:
    """What a position list is restricted to."""

    agency_id: str | None = None
    unit_id: str | None = None
    is_key: bool | None = None


class PositionRepository:
    """Reads and writes of the positions table."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, position_id: str, *, for_update: bool = False) -> Position | None:
        """The position with this id."""
        query = select(Position).where(Position.id == position_id)
        if for_update:
            query = query.with_for_update()
        return (await self.session.execute(query)).scalar_one_or_none()

    async def list(self, where: PositionFilter, *, after: str | None, limit: int) -> Sequence[Position]:
        """Positions in id order after `after`, restricted by `where`."""
        query = select(Position).order_by(Position.id).limit(limit)
        if where.agency_id is not None:
            query = query.where(Position.agency_id == where.agency_id)
        if where.unit_id is not None:
            query = query.where(Position.unit_id == where.unit_id)
        if where.is_key is not None:
            query = query.where(Position.is_key == where.is_key)
        if after is not None:
            query = query.where(Position.id > after)
        return (await self.session.execute(query)).scalars().all()

    async def is_held(self, position_id: str) -> bool:
        """Whether any (not deleted) employee holds the position now."""
        held = exists().where(Employee.position_id == position_id, Employee.deleted_at.is_(None))
        return bool((await self.session.execute(select(held))).scalar())

    async def add(self, position: Position) -> Position:
        """Insert a position."""
        self.session.add(position)
        await flush(self.session)
        return position

    async def save(self) -> None:
        """Write pending changes (412 on a lost update)."""
        await flush(self.session)
