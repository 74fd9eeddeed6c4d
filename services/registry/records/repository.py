"""SQL for an employee's dated records (awards, sanctions, assessments): add, and list by date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from services.registry.base import EmployeeRecord
from services.registry.persistence import flush

R = TypeVar("R", bound=EmployeeRecord)


class RecordRepository:
    """Adds records and lists a person's records of one kind in (date, id) order."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, record: R) -> R:
        """Insert a record."""
        self.session.add(record)
        await flush(self.session)
        return record

    async def list(
        self,
        model: type[R],
        date_column: InstrumentedAttribute[dt.date],
        nip: str,
        *,
        after: tuple[dt.date, str] | None,
        limit: int,
    ) -> Sequence[R]:
        """A person's records of `model`, oldest first, after the (date, id) key."""
        record_id: InstrumentedAttribute[Any] = model.id
        query = select(model).where(model.nip == nip).order_by(date_column, record_id).limit(limit)
        if after is not None:
            day, last_id = after
            query = query.where(or_(date_column > day, and_(date_column == day, record_id > last_id)))
        return (await self.session.execute(query)).scalars().all()
