"""One import job: read the stored file in batches, check every row, stage it, and write it set-based.

Everything is written in one transaction (an atomic import with a bad row writes nothing; a partial one writes
the good rows). The job's state lives in the `imports` row, changed in short transactions of their own, but for
the completed state, which commits with the rows it counts."""

from __future__ import annotations

import asyncio
import contextlib
import csv
import functools
import logging
import pathlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from services.common.db import is_postgres, utcnow
from services.registry.imports.catalog import Catalog
from services.registry.imports.feeder import Feeder, Readers, produce
from services.registry.imports.messages import RowError
from services.registry.imports.readers import RowReader
from services.registry.imports.repository import ImportRepository, load_catalog
from services.registry.imports.upsert import (
    AWARDS,
    COMPETENCY_ASSESSMENTS,
    POTENTIAL_ASSESSMENTS,
    RATINGS,
    SANCTIONS,
    ConcurrentWrite,
    EmployeeUpsert,
    Outcome,
    PositionUpsert,
    RecordUpsert,
    UnitUpsert,
    WriteContext,
    lock_agency,
)

logger = logging.getLogger("talenta.registry.imports")
READ_SHARE = 0.8  # of the progress bar: reading and checking rows; the rest is the write
TURN_POLL_SECONDS = 0.2  # how often a job that has read its file looks whether the earlier ones have finished
READ_AHEAD = 3  # batches read and checked ahead of the database
WRITE_WORK_MEM = "128MB"  # PostgreSQL's sort memory for the job's writes (its default 4MB spills to disk)
NEEDS_CATALOG = ("employees", "positions")
RECORD_KINDS = {
    "performance-ratings": RATINGS,
    "competency-assessments": COMPETENCY_ASSESSMENTS,
    "potential-assessments": POTENTIAL_ASSESSMENTS,
    "disciplinary-actions": SANCTIONS,
    "awards": AWARDS,
}
Progress = Callable[[float], Awaitable[None]]
Turn = Callable[[], Awaitable[None]]


class ImportFailed(Exception):
    """The job cannot finish; the message is the reason shown to the clerk."""


@dataclass
class Tally:
    """Row counts and errors of a running job; only the first `cap` errors are kept, all are counted."""

    cap: int
    rows: int = 0
    count: int = 0
    kept: list[RowError] = field(default_factory=list)
    refused: set[int] = field(default_factory=set)

    def add(self, errors: list[RowError]) -> None:
        """Count errors (and the rows they refuse)."""
        self.count += len(errors)
        self.refused.update(e.row for e in errors)
        room = self.cap - len(self.kept)
        if room > 0:
            self.kept.extend(errors[:room])

    def rendered(self) -> list[dict[str, Any]]:
        """The kept errors, by row, as the job resource shows them."""
        return [e.render() for e in sorted(self.kept, key=lambda e: (e.row, e.field))]


def make_upsert(kind: str, context: WriteContext) -> Any:
    """The upsert writing rows of `kind`."""
    if kind == "employees":
        return EmployeeUpsert(context)
    if kind == "units":
        return UnitUpsert(context)
    if kind == "positions":
        return PositionUpsert(context)
    return RecordUpsert(RECORD_KINDS[kind], context)


@dataclass(frozen=True)
class JobSpec:
    """What a job imports, read from its row."""

    import_id: str
    kind: str
    mode: str
    agency_id: str
    path: pathlib.Path
    file_format: str
    delimiter: str | None
    file_bytes: int
    context: WriteContext


async def import_rows(
    session: AsyncSession,
    spec: JobSpec,
    tally: Tally,
    batch_rows: int,
    progress: Progress,
    turn: Turn,
    readers: Readers,
) -> Outcome | None:
    """Read, check, stage and (unless an atomic import found errors) write; None when nothing was written.

    The worker thread reads and checks the next batches while the database copies the last one into the stage.
    The file is read as the process's one reader (`readers`): reading is Python's work, and two jobs reading at
    once only share the interpreter, while one reads as fast alone and the other's write (the database's work)
    goes on meanwhile. Once the file is read and checked on its own, `turn` waits for the agency's earlier imports
    (files apply in the order accepted), and the checks against the registry follow under the agency's lock. From
    the end of its read to the start of its write, except while it waits, the process's reader pauses."""
    catalog = await load_catalog(session, spec.agency_id) if spec.kind in NEEDS_CATALOG else Catalog(spec.agency_id, "")
    upsert = make_upsert(spec.kind, spec.context)
    await upsert.prepare(session)
    whole_file = getattr(upsert, "whole_file", False)
    async with readers.one_at_a_time:
        kept = await _read(session, spec, tally, batch_rows, progress, catalog, upsert, readers)
    async with readers.pause() as pause:
        tally.add(await upsert.check_file(session))  # the file alone (a key twice): no turn or lock to wait for
        with pause.lifted():
            await turn()
            await _hold_write_lock(session, spec)
        if whole_file:
            tally.add(await upsert.stage(session, kept))
        tally.add(await upsert.check(session))
        await progress(0.9)
        if spec.mode == "atomic" and tally.count:
            return None
        written: Outcome = await upsert.write(session, sorted(tally.refused), writing=pause.lift)
    return written


async def _read(
    session: AsyncSession,
    spec: JobSpec,
    tally: Tally,
    batch_rows: int,
    progress: Progress,
    catalog: Catalog,
    upsert: Any,
    readers: Readers,
) -> list[Any]:
    """Read and check the file's rows; stage them as they come, or answer them (whole-file kinds, staged later)."""
    whole_file = getattr(upsert, "whole_file", False)
    reader = RowReader(spec.path, spec.kind, spec.file_format, spec.delimiter)
    step = functools.partial(produce, reader.batches(batch_rows), spec.kind, catalog, None if whole_file else upsert)
    feeder = Feeder(step, READ_AHEAD, readers)
    kept: list[Any] = []
    try:
        while (read := await feeder.next()) is not None:
            tally.rows += read.rows
            tally.add(read.errors)
            kept.extend(read.typed)
            if read.records:
                await upsert.append(session, read.records)
            await progress(READ_SHARE * min(1.0, read.offset / max(1, spec.file_bytes)))
    except csv.Error as exc:
        raise ImportFailed(f"The file is not valid CSV after row {tally.rows + 1}: {exc}.") from None
    finally:
        await feeder.close()
        reader.close()
    return kept


async def _hold_write_lock(session: AsyncSession, spec: JobSpec) -> None:
    """Before checking and writing: hold the agency's bulk-write lock until the transaction ends."""
    if is_postgres(session):
        await lock_agency(session, spec.agency_id)
        # The writes sort the whole stage by NIP (and the checks group it): in memory, not in temporary files.
        await session.execute(text(f"SET LOCAL work_mem = '{WRITE_WORK_MEM}'"))
        return
    # SQLite has one writer. End the reading transaction (the stage is a temporary table of this connection, it
    # stays), then open the writing one with a write: it waits its turn rather than meet a stale snapshot later.
    await session.commit()
    await ImportRepository(session).set(spec.import_id, heartbeat_at=utcnow())


@contextlib.asynccontextmanager
async def job_session(maker: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """The job's session; on SQLite bound to one connection for the whole job (its stage lives there)."""
    bind = maker.kw.get("bind")
    if isinstance(bind, AsyncEngine) and bind.dialect.name == "sqlite":
        async with bind.connect() as connection, maker(bind=connection) as session:
            yield session
        return
    async with maker() as session:
        yield session


async def run_job(
    maker: async_sessionmaker[AsyncSession],
    spec: JobSpec,
    cap: int,
    batch_rows: int,
    progress: Progress,
    readers: Readers,
) -> dict[str, Any]:
    """Run the job (its writes in one transaction); answers the columns of its final state. `readers`: see
    `import_rows`."""
    tally = Tally(cap)
    try:
        async with job_session(maker) as session:
            turn = functools.partial(wait_turn, maker, spec)
            outcome = await import_rows(session, spec, tally, batch_rows, progress, turn, readers)
            final = final_state(tally, outcome)
            if outcome is None:
                await session.rollback()
            else:
                # The outcome commits with the rows it counts: a job that wrote is never taken later for one
                # that died before writing, whatever happens to the database meanwhile.
                await ImportRepository(session).set(spec.import_id, **final, progress=1.0, finished_at=utcnow())
                await session.commit()
    except (IntegrityError, ConcurrentWrite):
        logger.warning("import met a concurrent change", extra={"import_id": spec.import_id})
        raise ImportFailed(
            "The data changed while the import ran (another writer); nothing was written. Upload the file again."
        ) from None
    return final


async def wait_turn(maker: async_sessionmaker[AsyncSession], spec: JobSpec) -> None:
    """Until no import of the agency accepted before this one is running (each look in a short session of its own).

    A clerk who uploads the employees and then their ratings expects the ratings to meet the new people; the ratings
    file is read sooner, so without this it would be checked first. The file is read meanwhile, and the earlier
    job's write holds the agency's lock anyway: waiting costs nothing but the order. A job still queued (every slot
    busy) is not waited for: it may be queued behind this one."""
    waited = False
    while True:
        async with maker() as session:
            earlier = await ImportRepository(session).running_before(spec.import_id, spec.agency_id)
        if not earlier:
            return
        if not waited:
            logger.info("import waits for earlier imports", extra={"import_id": spec.import_id, "earlier": earlier})
            waited = True
        await asyncio.sleep(TURN_POLL_SECONDS)


def final_state(tally: Tally, outcome: Outcome | None) -> dict[str, Any]:
    """The columns of a job's final state: failed with nothing written (`outcome` None), or completed."""
    state: dict[str, Any] = {"rows_total": tally.rows, "error_count": tally.count, "errors": tally.rendered()}
    if outcome is None:
        detail = (
            f"{tally.count} error(s) in {len(tally.refused)} row(s); nothing was written (atomic import). "
            "Correct the rows listed, or import with mode=partial to write the good rows."
        )
        return state | {"status": "failed", "detail": detail, "rows_written": 0}
    return state | {
        "status": "completed",
        "rows_written": outcome.written,
        "rows_created": outcome.created,
        "rows_updated": outcome.updated,
        "rows_unchanged": outcome.unchanged,
    }
