"""Reading and checking a file's batches in a worker thread, a few batches ahead of the database.

The database (COPY, then the set-based writes of a segment) and Python's reading and checking of rows then run
at the same time, on two cores instead of one after the other."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from services.registry.imports.catalog import Catalog
from services.registry.imports.convert import convert
from services.registry.imports.messages import RowError
from services.registry.imports.readers import Batch


@dataclass(frozen=True)
class Produced:
    """One batch read and checked in the worker thread."""

    rows: int
    typed: list[Any]  # whole-file kinds: the typed rows, staged at the end
    records: list[tuple[Any, ...]]  # the others: stage records, ready to COPY
    errors: list[RowError]
    offset: int  # bytes of the file read so far


def produce(batches: Iterator[Batch], kind: str, catalog: Catalog, upsert: Any) -> Produced | None:
    """Read, convert and check the next batch (CPU only; runs in a worker thread); None at the end."""
    batch = next(batches, None)
    if batch is None:
        return None
    typed, errors = convert(kind, batch.rows, catalog)
    if upsert is None:
        return Produced(len(batch.rows), typed, [], errors, batch.bytes_read)
    records, refused = upsert.records(typed)
    return Produced(len(batch.rows), [], records, errors + refused, batch.bytes_read)


class Feeder:
    """Runs `step` in a worker thread again and again, keeping up to `ahead` results ready."""

    def __init__(self, step: Callable[[], Produced | None], ahead: int) -> None:
        self.ready: asyncio.Queue[Produced | BaseException | None] = asyncio.Queue(maxsize=ahead)
        self.stopping = False
        self.task = asyncio.create_task(self._run(step))

    async def _run(self, step: Callable[[], Produced | None]) -> None:
        while not self.stopping:
            try:
                item: Produced | BaseException | None = await asyncio.to_thread(step)
            except Exception as exc:  # a broken file: handed to the reader of the queue
                item = exc
            if self.stopping:
                return
            await self.ready.put(item)
            if item is None or isinstance(item, BaseException):
                return

    async def next(self) -> Produced | None:
        """The next batch, or None after the last; raises what reading raised."""
        item = await self.ready.get()
        if isinstance(item, BaseException):
            raise item
        return item

    async def close(self) -> None:
        """Stop reading ahead; returns once no thread touches the file any more."""
        self.stopping = True
        while not self.task.done():
            with contextlib.suppress(asyncio.QueueEmpty):
                self.ready.get_nowait()  # unblock a waiting put
            await asyncio.wait([self.task], timeout=0.05)
        with contextlib.suppress(asyncio.CancelledError):
            await self.task
