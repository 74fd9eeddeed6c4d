"""Reading and checking a file's batches in a worker thread, a few batches ahead of the database.

The database (COPY, then the set-based writes of a segment) and Python's reading and checking of rows then run
at the same time, on two cores instead of one after the other."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Iterator
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


class Readers:
    """How the jobs of one process share the interpreter: one job reads its file at a time (`one_at_a_time`), and
    the reader pauses between batches while another job goes from its file read to its write (`pause`).

    Reading and checking rows is the interpreter's work: two jobs reading at once only share it. Between its read
    and its write a job runs a string of short statements, each waiting for the event loop, which a reader keeps
    busy (the COPY of a batch holds it for tens of milliseconds): paused, that string ends sooner, the write (the
    database's work) starts sooner, and the reader goes on while it runs."""

    def __init__(self) -> None:
        self.one_at_a_time = asyncio.Lock()
        self.pauses = 0
        self.free = asyncio.Event()  # set while no job pauses the readers
        self.free.set()

    @contextlib.asynccontextmanager
    async def pause(self) -> AsyncIterator[Pause]:
        """The process's readers pause at their next batch until the block ends or the pause is lifted."""
        pause = Pause(self)
        try:
            yield pause
        finally:
            pause.lift()

    def _hold(self, change: int) -> None:
        self.pauses += change
        if self.pauses:
            self.free.clear()
        else:
            self.free.set()


class Pause:
    """One job's pause of the readers (see `Readers.pause`)."""

    def __init__(self, readers: Readers) -> None:
        self.readers = readers
        self.active = True
        readers._hold(+1)

    def lift(self) -> None:
        """End the pause (again: nothing): the job's write starts, the readers go on."""
        if self.active:
            self.active = False
            self.readers._hold(-1)

    @contextlib.contextmanager
    def lifted(self) -> Iterator[None]:
        """Lifted while the job waits (for its turn, for a lock), and held again after."""
        held = self.active
        self.lift()
        try:
            yield
        finally:
            if held:
                self.active = True
                self.readers._hold(+1)


class Feeder:
    """Runs `step` in a worker thread again and again, keeping up to `ahead` results ready; between steps, and
    before answering one, it waits while a job pauses the `readers`."""

    def __init__(self, step: Callable[[], Produced | None], ahead: int, readers: Readers) -> None:
        self.ready: asyncio.Queue[Produced | BaseException | None] = asyncio.Queue(maxsize=ahead)
        self.readers = readers
        self.stopping = False
        self.paused = False  # waiting for the readers' pause to end: no thread runs `step`
        self.task = asyncio.create_task(self._run(step))

    async def _run(self, step: Callable[[], Produced | None]) -> None:
        while not self.stopping:
            self.paused = True
            await self.readers.free.wait()
            self.paused = False
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
        await self.readers.free.wait()  # its COPY would hold the event loop too
        if isinstance(item, BaseException):
            raise item
        return item

    async def close(self) -> None:
        """Stop reading ahead; returns once no thread touches the file any more."""
        self.stopping = True
        while not self.task.done():
            if self.paused:
                self.task.cancel()  # no thread to wait for, and the pause may last
            with contextlib.suppress(asyncio.QueueEmpty):
                self.ready.get_nowait()  # unblock a waiting put
            await asyncio.wait([self.task], timeout=0.05)
        with contextlib.suppress(asyncio.CancelledError):
            await self.task
