"""The audit writer: group commit of concurrent events, each caller awaiting its own durability.

`record()` returns once the caller's events are committed, so a response is sent only after the events
it records are durable. Events that arrive while a batch is being written form the next batch: under
load many requests share one transaction, and nobody waits for a timer.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from services.common.errors import ServiceUnavailable
from services.gateway.audit.repository import insert_events, insert_events_autocommit

logger = logging.getLogger("talenta.gateway.audit")
Event = dict[str, Any]


class AuditWriter:
    """Batches events into shared transactions; started and stopped by the app's lifespan."""

    def __init__(self, engine: AsyncEngine, max_batch: int = 5000, commit_delay_seconds: float = 0.0) -> None:
        # One connection of its own, kept open: a pool checkout (and its pre-ping) per batch cost
        # several times the insert itself. On PostgreSQL a batch is one autocommit statement (one round
        # trip, durable when it returns); SQLite writes it in a transaction.
        self._engine = engine
        self._connection: AsyncConnection | None = None
        self._max_batch = max_batch
        # Under load, wait this long before a write for more requests to join it (PostgreSQL's commit_delay, done
        # here): fewer, larger commits. Only after a write that several requests shared, so a lone request
        # (one connection, a quiet hour) is never held back.
        self._commit_delay = commit_delay_seconds
        self._last_shared = False
        self._pending: list[tuple[Sequence[Event], asyncio.Future[None]]] = []
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        self.batches_written = 0
        self.events_written = 0

    def start(self) -> None:
        """Start the background writer task."""
        self._task = asyncio.create_task(self._run(), name="audit-writer")

    async def record(self, events: Sequence[Event]) -> None:
        """Queue events and wait until they are committed (raises if they could not be)."""
        if not events:
            return
        if self._task is None or self._task.done():
            raise ServiceUnavailable("The audit writer is not running.", code="audit_unavailable")
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending.append((events, future))
        self._wake.set()
        # shield: a client that disconnects does not cancel the write other requests share.
        try:
            await asyncio.shield(future)
        except Exception as exc:  # no durable record, no answer: the data must not leave unaudited
            raise ServiceUnavailable(
                "The audit trail cannot be written; retry shortly.", code="audit_unavailable"
            ) from exc

    async def commit_then_record(self, session: AsyncSession, events: Sequence[Event]) -> None:
        """Commit the request's own changes, then record their events.

        Committing first frees SQLite's single write lock for the writer, and the record then follows
        the change it describes."""
        await session.commit()
        await self.record(events)

    async def _run(self) -> None:
        while not (self._closing and not self._pending):
            await self._wake.wait()
            self._wake.clear()
            if self._commit_delay and self._last_shared and not self._closing:
                await asyncio.sleep(self._commit_delay)
            while self._pending:
                batch, size = [], 0
                while self._pending and size < self._max_batch:
                    item = self._pending.pop(0)
                    batch.append(item)
                    size += len(item[0])
                self._last_shared = len(batch) > 1
                await self._write(batch)

    async def _write(self, batch: list[tuple[Sequence[Event], asyncio.Future[None]]]) -> None:
        error = await self._insert([event for events, _ in batch for event in events])
        if error is not None and len(batch) > 1:
            # One request's bad row must not cost the others their answers: write each on its own.
            for item in batch:
                await self._write([item])
            return
        for _, future in batch:
            if future.done():
                continue
            if error is None:
                future.set_result(None)
            else:
                future.set_exception(error)

    async def _insert(self, rows: list[Event]) -> Exception | None:
        error: Exception | None = None
        for _attempt in range(2):  # a connection the database dropped is replaced once
            try:
                if self._connection is None or self._connection.closed:
                    self._connection = await self._engine.connect()
                if self._connection.dialect.name == "postgresql":
                    raw = await self._connection.get_raw_connection()
                    await insert_events_autocommit(raw.driver_connection, rows)
                else:
                    async with self._connection.begin():
                        await insert_events(self._connection, rows)
            except Exception as exc:
                error = exc
                await self._drop_connection()
                continue
            self.batches_written += 1
            self.events_written += len(rows)
            return None
        logger.error("audit batch failed", extra={"events": len(rows), "error": type(error).__name__})
        return error

    async def _drop_connection(self) -> None:
        # The next batch reconnects: a broken connection must not fail every later batch too.
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                await connection.close()
            except Exception:  # already broken; nothing more to release
                logger.debug("audit connection close failed")

    async def aclose(self) -> None:
        """Write what is pending, then stop."""
        self._closing = True
        self._wake.set()
        if self._task is not None:
            try:
                await asyncio.wait_for(self._task, timeout=10)
            except TimeoutError:
                self._task.cancel()
        await self._drop_connection()
