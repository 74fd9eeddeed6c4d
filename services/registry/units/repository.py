"""SQL for units."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.persistence import flush
from services.registry.units.models import Unit

UNIT_CODE_TAKEN = "unit_code_taken"


class UnitRepository:
    """Reads and writes of the units table."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, unit_id: str, *, for_update: bool = False) -> Unit | None:
        """The unit with this id."""
        query = select(Unit).where(Unit.id == unit_id)
        if for_update:
            query = query.with_for_update()
        return (await self.session.execute(query)).scalar_one_or_none()

    async def parent_of(self, unit_id: str) -> tuple[str, str | None] | None:
        """(agency_id, parent_id) of a unit, or None when it does not exist."""
        row = (await self.session.execute(select(Unit.agency_id, Unit.parent_id).where(Unit.id == unit_id))).first()
        return None if row is None else (row[0], row[1])

    async def list(self, agency_id: str, *, after: str | None, limit: int, parent_id: str | None) -> Sequence[Unit]:
        """Units of an agency in id order, optionally the children of one unit."""
        query = select(Unit).where(Unit.agency_id == agency_id).order_by(Unit.id).limit(limit)
        if after is not None:
            query = query.where(Unit.id > after)
        if parent_id is not None:
            query = query.where(Unit.parent_id == parent_id)
        return (await self.session.execute(query)).scalars().all()

    async def add(self, unit: Unit) -> Unit:
        """Insert a unit; 409 when its code is taken in the agency."""
        self.session.add(unit)
        await self.save()
        return unit

    async def save(self) -> None:
        """Write pending changes; 409 on a duplicate code, 412 on a lost update."""
        await flush(
            self.session, conflict_code=UNIT_CODE_TAKEN, conflict_detail="The agency has a unit with that code."
        )
