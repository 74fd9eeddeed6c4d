"""Outbox retention: events older than the retention period are deleted, a batch per transaction, every so often.

Readers (the gateway's dispatcher) follow the feed within seconds, so an event is long consumed when it goes; a
reader whose position stood still for longer than the retention would miss what was purged meanwhile. Several
replicas may purge at once: they delete the same oldest rows, and one of them finds nothing left.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.common.db import utcnow
from services.common.outbox import PURGE_BATCH, Outbox

logger = logging.getLogger("talenta.outbox")


class OutboxKeeper:
    """Purges a service's outbox of events older than `retention_days`, every `interval_seconds`."""

    def __init__(
        self,
        maker: async_sessionmaker[AsyncSession],
        table: Table,
        retention_days: int,
        interval_seconds: float,
        batch: int = PURGE_BATCH,
    ) -> None:
        self.maker = maker
        self.table = table
        self.retention = dt.timedelta(days=retention_days)
        self.interval_seconds = interval_seconds
        self.batch = batch
        self._task: asyncio.Task[None] | None = None

    async def purge_once(self) -> int:
        """Delete every event past the retention (a batch per transaction); how many were deleted."""
        before, deleted = utcnow() - self.retention, 0
        # Look before writing: nearly always there is nothing to purge, and on SQLite a write (even one deleting
        # nothing) would take the one write lock a request's transaction may be about to need.
        async with self.maker() as session:
            if not await Outbox(session, self.table).has_purgeable(before):
                return 0
        while True:
            async with self.maker() as session, session.begin():
                count = await Outbox(session, self.table).purge(before, self.batch)
            deleted += count
            if count < self.batch:
                break
        if deleted:
            logger.info("outbox purged", extra={"events": deleted, "before": before.isoformat()})
        return deleted

    async def _run(self) -> None:
        while True:
            try:
                await self.purge_once()
            except Exception:  # the database away for a moment: the next round tries again
                logger.exception("outbox purge failed")
            await asyncio.sleep(self.interval_seconds)

    def start(self) -> None:
        """Purge now and then every interval, until stopped."""
        self._task = asyncio.create_task(self._run(), name="outbox-keeper")

    async def stop(self) -> None:
        """Stop purging (a batch in progress rolls back)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
