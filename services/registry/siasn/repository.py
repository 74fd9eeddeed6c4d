"""SQL of the SIASN domain: credentials, sync jobs and their items, and the reads a sync batch needs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.db import utcnow
from services.registry.employees.models import Employee
from services.registry.imports.upsert.positions import match_key
from services.registry.imports.upsert.staging import sql
from services.registry.siasn.models import SiasnCredentials, SiasnSync, SiasnSyncItem

ACTIVE = ("queued", "running")
# Tables a sync writes per person; a row with updated_at (or created_at) = the write's clock was touched by it.
PERSON_TABLES = (
    "employees", "rank_history", "position_history", "education_history", "training_history",
    "performance_ratings", "disciplinary_actions",
)  # fmt: skip


class SiasnRepository:
    """Reads and writes of the SIASN tables."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def credentials(self, agency_id: str) -> SiasnCredentials | None:
        """The agency's stored credentials."""
        return await self.session.get(SiasnCredentials, agency_id, populate_existing=True)

    async def save(self, row: object) -> None:
        """Add or update a row."""
        self.session.add(row)
        await self.session.flush()

    async def sync(self, sync_id: str) -> SiasnSync | None:
        """The job with this id."""
        return await self.session.get(SiasnSync, sync_id, populate_existing=True)

    async def update_job(self, sync_id: str, **values: Any) -> None:
        """Change columns of a job."""
        await self.session.execute(
            update(SiasnSync)
            .where(SiasnSync.id == sync_id)
            .values(**values, updated_at=utcnow(), version=SiasnSync.version + 1)
            .execution_options(synchronize_session=False)
        )

    async def active(self) -> Sequence[tuple[str, str | None, dt.datetime | None]]:
        """(id, owner, heartbeat_at) of every queued or running job."""
        query = select(SiasnSync.id, SiasnSync.owner, SiasnSync.heartbeat_at).where(SiasnSync.status.in_(ACTIVE))
        return [(r[0], r[1], r[2]) for r in await self.session.execute(query)]

    async def fail(self, sync_ids: Sequence[str], detail: str) -> None:
        """Mark queued or running jobs failed."""
        if sync_ids:
            now = utcnow()
            await self.session.execute(
                update(SiasnSync)
                .where(SiasnSync.id.in_(sync_ids), SiasnSync.status.in_(ACTIVE))
                .values(status="failed", detail=detail, finished_at=now, updated_at=now, version=SiasnSync.version + 1)
                .execution_options(synchronize_session=False)
            )

    async def heartbeat(self, sync_ids: Sequence[str]) -> None:
        """Say that this process still runs these jobs."""
        if sync_ids:
            await self.session.execute(
                update(SiasnSync).where(SiasnSync.id.in_(sync_ids)).values(heartbeat_at=utcnow())
                .execution_options(synchronize_session=False)
            )  # fmt: skip

    async def add_items(self, sync_id: str, items: Sequence[dict[str, Any]]) -> None:
        """Record outcomes of NIPs (each NIP once per job)."""
        if items:
            await self.session.execute(insert(SiasnSyncItem), [{"sync_id": sync_id, **item} for item in items])

    async def items(self, sync_id: str, after: str | None, limit: int) -> list[SiasnSyncItem]:
        """A page of a job's outcomes in NIP order."""
        query = select(SiasnSyncItem).where(SiasnSyncItem.sync_id == sync_id)
        if after is not None:
            query = query.where(SiasnSyncItem.nip > after)
        return list((await self.session.scalars(query.order_by(SiasnSyncItem.nip).limit(limit))).all())

    async def outcome_counts(self, sync_id: str) -> dict[str, int]:
        """How many NIPs of a job ended in each outcome."""
        query = (
            select(SiasnSyncItem.outcome, func.count())
            .where(SiasnSyncItem.sync_id == sync_id)
            .group_by(SiasnSyncItem.outcome)
        )
        return {outcome: int(count) for outcome, count in await self.session.execute(query)}

    async def agency_nips(self, agency_id: str) -> list[str]:
        """The NIPs of an agency's current (not deleted) employees."""
        query = select(Employee.nip).where(Employee.agency_id == agency_id, Employee.deleted_at.is_(None))
        return list((await self.session.scalars(query.order_by(Employee.nip))).all())

    async def current(self, nips: Sequence[str]) -> dict[str, tuple[str, str | None, str | None]]:
        """NIP -> (agency_id, position_id, rank) of the people already in the registry."""
        query = select(Employee.nip, Employee.agency_id, Employee.position_id, Employee.rank).where(
            Employee.nip.in_(nips)
        )
        return {r[0]: (r[1], r[2], r[3]) for r in await self.session.execute(query)}

    async def touched(self, nips: Sequence[str], at: dt.datetime) -> set[str]:
        """The NIPs any of whose rows a write stamped `at` (created or changed by it)."""
        marks = {f"n{i}": nip for i, nip in enumerate(nips)}
        where = ", ".join(f":{name}" for name in marks)
        union = " UNION ".join(
            f"SELECT nip FROM {table} WHERE nip IN ({where}) AND (updated_at = :now OR created_at = :now)"
            for table in PERSON_TABLES
        )
        return {row[0] for row in await self.session.execute(sql(union), {**marks, "now": at})}

    async def agency_exists(self, agency_id: str) -> bool:
        """Whether the agency row exists."""
        found = await self.session.execute(text("SELECT 1 FROM agencies WHERE id = :id"), {"id": agency_id})
        return found.first() is not None

    async def unit_ids(self, agency_id: str) -> dict[str, str]:
        """Code -> id of the agency's units (a SIASN unit's code is its unorId)."""
        query = text("SELECT code, id FROM units WHERE agency_id = :agency AND code IS NOT NULL")
        return {r[0]: r[1] for r in await self.session.execute(query, {"agency": agency_id})}

    async def position_keys(self, agency_id: str) -> dict[tuple[str, str], str]:
        """(unit id, name as positions match it) -> id of the agency's positions."""
        query = text("SELECT unit_id, name, id FROM positions WHERE agency_id = :agency")
        return {match_key(r[0], r[1]): r[2] for r in await self.session.execute(query, {"agency": agency_id})}
