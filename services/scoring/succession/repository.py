"""SQL of stored shortlists: one row per distinct result of a position on a day."""

from __future__ import annotations

from sqlalchemy import Table, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.db import is_postgres
from services.scoring.succession.models import SuccessionShortlist


class ShortlistRepository:
    """Stored shortlists."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def store(self, shortlist: SuccessionShortlist) -> str:
        """Store a computed shortlist unless the same result is stored for the position and day; its id."""
        table = SuccessionShortlist.__table__
        assert isinstance(table, Table)
        values = {column.name: getattr(shortlist, column.name) for column in table.columns}
        dialect_insert = postgresql.insert if is_postgres(self.session) else sqlite.insert
        statement = dialect_insert(table).values(values).on_conflict_do_nothing()
        await self.session.execute(statement)
        query = select(SuccessionShortlist.id).where(
            SuccessionShortlist.position_id == shortlist.position_id,
            SuccessionShortlist.as_of == shortlist.as_of,
            SuccessionShortlist.result_hash == shortlist.result_hash,
        )
        return str((await self.session.execute(query)).scalar_one())

    async def latest(self, position_id: str) -> SuccessionShortlist | None:
        """The position's most recently stored shortlist."""
        query = (
            select(SuccessionShortlist)
            .where(SuccessionShortlist.position_id == position_id)
            .order_by(SuccessionShortlist.created_at.desc(), SuccessionShortlist.id.desc())
            .limit(1)
        )
        return (await self.session.execute(query)).scalar_one_or_none()

    async def get(self, shortlist_id: str) -> SuccessionShortlist | None:
        """One stored shortlist."""
        return await self.session.get(SuccessionShortlist, shortlist_id)
