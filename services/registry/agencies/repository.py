"""SQL for agencies."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.agencies.models import Agency
from services.registry.persistence import flush


class AgencyRepository:
    """Reads and writes of the agencies table."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, id_or_code: str, *, for_update: bool = False) -> Agency | None:
        """The agency with this id or code."""
        query = select(Agency).where(or_(Agency.id == id_or_code, Agency.code == id_or_code))
        if for_update:
            query = query.with_for_update()
        return (await self.session.execute(query)).scalar_one_or_none()

    async def id_of(self, id_or_code: str) -> str | None:
        """The id of the agency named by id or code, without loading it."""
        query = select(Agency.id).where(or_(Agency.id == id_or_code, Agency.code == id_or_code))
        return (await self.session.execute(query)).scalar_one_or_none()

    async def list(self, *, after: str | None, limit: int, only_id: str | None) -> Sequence[Agency]:
        """Agencies in id order after `after`; only `only_id` when given."""
        query = select(Agency).order_by(Agency.id).limit(limit)
        if after is not None:
            query = query.where(Agency.id > after)
        if only_id is not None:
            query = query.where(Agency.id == only_id)
        return (await self.session.execute(query)).scalars().all()

    async def add(self, agency: Agency) -> Agency:
        """Insert an agency; 409 when its code is taken."""
        self.session.add(agency)
        await flush(
            self.session, conflict_code="agency_exists", conflict_detail=f"Agency code {agency.code!r} is taken."
        )
        return agency

    async def save(self) -> None:
        """Write pending changes (bumps the version; 412 if another writer got there first)."""
        await flush(self.session)
