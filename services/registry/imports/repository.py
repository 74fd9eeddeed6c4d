"""SQL of the imports domain: the job rows, and the agency lookups a file's rows are resolved against."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.db import utcnow
from services.registry.agencies.models import Agency
from services.registry.imports.catalog import Catalog
from services.registry.imports.models import ImportJob
from services.registry.positions.models import Position
from services.registry.units.models import Unit

ACTIVE = ("queued", "running")


class ImportRepository:
    """Reads and writes of the imports table."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, job: ImportJob) -> ImportJob:
        """Insert a job."""
        self.session.add(job)
        await self.session.flush()
        return job

    async def get(self, import_id: str) -> ImportJob | None:
        """The job with this id."""
        return await self.session.get(ImportJob, import_id, populate_existing=True)

    async def set(self, import_id: str, **values: Any) -> None:
        """Change columns of a job (its version bumps)."""
        await self.session.execute(
            update(ImportJob)
            .where(ImportJob.id == import_id)
            .values(**values, updated_at=utcnow(), version=ImportJob.version + 1)
            .execution_options(synchronize_session=False)
        )

    async def active(self) -> Sequence[tuple[str, str | None, dt.datetime | None]]:
        """(id, owner, heartbeat_at) of every queued or running job."""
        query = select(ImportJob.id, ImportJob.owner, ImportJob.heartbeat_at).where(ImportJob.status.in_(ACTIVE))
        return [(r[0], r[1], r[2]) for r in await self.session.execute(query)]

    async def running_before(self, import_id: str, agency_id: str) -> list[str]:
        """The ids of the agency's running jobs accepted before this one (ids rise with acceptance time)."""
        query = select(ImportJob.id).where(
            ImportJob.agency_id == agency_id, ImportJob.id < import_id, ImportJob.status == "running"
        )
        return [r[0] for r in await self.session.execute(query)]

    async def fail(self, import_ids: Sequence[str], detail: str) -> None:
        """Mark jobs that are still queued or running as failed, with the reason."""
        if not import_ids:
            return
        await self.session.execute(
            update(ImportJob)
            .where(ImportJob.id.in_(import_ids), ImportJob.status.in_(ACTIVE))
            .values(
                status="failed", detail=detail, finished_at=utcnow(), updated_at=utcnow(), version=ImportJob.version + 1
            )
            .execution_options(synchronize_session=False)
        )

    async def heartbeat(self, import_ids: Sequence[str]) -> None:
        """Say that this process is still running these jobs."""
        if import_ids:
            await self.session.execute(
                update(ImportJob)
                .where(ImportJob.id.in_(import_ids))
                .values(heartbeat_at=utcnow())
                .execution_options(synchronize_session=False)
            )


async def load_catalog(session: AsyncSession, agency_id: str) -> Catalog:
    """The agency's units and positions, for resolving names in a file."""
    code = (await session.execute(select(Agency.code).where(Agency.id == agency_id))).scalar_one()
    units = await session.execute(select(Unit.id, Unit.code, Unit.name).where(Unit.agency_id == agency_id))
    positions = await session.execute(
        select(Position.id, Position.unit_id, Position.name).where(Position.agency_id == agency_id)
    )
    return Catalog.build(agency_id, code, ((r[0], r[1], r[2]) for r in units), ((r[0], r[1], r[2]) for r in positions))
