"""Running one sync: units from ref-unor, then NIPs fetched concurrently and written in batches as they come.

Fetching (bounded by the agency client's concurrency) and writing overlap: each batch is one transaction
holding its people's rows and their outcomes, so a job that dies keeps what it committed and nothing half."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.common.db import utcnow
from services.registry.imports.upsert import UnitRow, UnitUpsert, WriteContext, lock_agency
from services.registry.siasn.client import SiasnClient
from services.registry.siasn.histories import map_bundle
from services.registry.siasn.mapping import Bundle, Person
from services.registry.siasn.repository import SiasnRepository
from services.registry.siasn.schemas import OUTCOMES
from services.registry.siasn.tokens import SiasnAuthError, SiasnError
from services.registry.siasn.values import InvalidRecord
from services.registry.siasn.writer import write_batch

logger = logging.getLogger("talenta.registry.siasn")
Progress = Callable[[float], Awaitable[None]]
HISTORY_PATHS = ("rw-golongan", "rw-jabatan", "rw-pendidikan", "rw-diklat", "rw-skp22", "rw-hukdis")


class SyncFailed(Exception):
    """The whole job cannot go on (credentials refused, ref-unor unreadable); the message says why."""


@dataclass
class Fetched:
    """One NIP fetched: its mapped person, or its outcome without one (not_found, invalid, failed)."""

    nip: str
    fetched_at: Any
    person: Person | None = None
    outcome: tuple[str, str | None, str | None] | None = None


@dataclass
class JobState:
    """Counts and progress of a running job."""

    total: int
    done: int = 0
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OUTCOMES, 0))


async def fetch_person(client: SiasnClient, nip: str, instansi_id: str, units: dict[str, str]) -> Fetched:
    """Fetch and map one NIP; upstream errors and refused records become its outcome."""
    fetched_at = utcnow()
    try:
        main = await client.get(f"/pns/data-utama/{nip}")
        if main is None:
            return Fetched(nip, fetched_at, outcome=("not_found", None, "SIASN: Data tidak ditemukan"))
        histories = await asyncio.gather(*(client.get(f"/pns/{path}/{nip}") for path in HISTORY_PATHS))
        person = map_bundle(Bundle(nip, main, *histories), instansi_id, units)
    except SiasnAuthError:
        raise
    except SiasnError as exc:
        return Fetched(nip, fetched_at, outcome=("failed", None, str(exc)))
    except InvalidRecord as exc:
        return Fetched(nip, fetched_at, outcome=("invalid", exc.field, exc.reason))
    return Fetched(nip, fetched_at, person=person)


async def sync_units(
    maker: async_sessionmaker[AsyncSession], client: SiasnClient, context: WriteContext, instansi_id: str
) -> dict[str, str]:
    """Create or update the agency's units from ref-unor (code = unorId); answers unorId -> unit id."""
    try:
        data = await client.get("/referensi/ref-unor")
    except SiasnAuthError as exc:
        raise SyncFailed(str(exc)) from exc
    except SiasnError as exc:
        raise SyncFailed(f"ref-unor could not be read: {exc}") from exc
    if not isinstance(data, list):
        raise SyncFailed("ref-unor did not answer a list of units")
    mine = [u for u in data if isinstance(u, dict) and u.get("instansiId") == instansi_id]
    codes = {str(u.get("id") or "") for u in mine}
    rows = [
        UnitRow(i, str(u.get("id") or ""), str(u.get("namaUnor") or u.get("id") or ""),
                parent if (parent := u.get("diatasanId")) in codes else None)
        for i, u in enumerate(mine)
    ]  # fmt: skip
    async with maker() as session:
        upsert = UnitUpsert(context)
        await upsert.prepare(session)
        await lock_agency(session, context.agency_id)
        errors = await upsert.stage(session, rows)
        await upsert.write(session, [e.row for e in errors])
        units = await SiasnRepository(session).unit_ids(context.agency_id)
        await session.commit()
    if errors:
        logger.warning("ref-unor units refused", extra={"count": len(errors)})
    return {code: units[code] for code in codes if code in units}


async def fetch_all(
    client: SiasnClient,
    nips: Sequence[str],
    instansi_id: str,
    units: dict[str, str],
    out: asyncio.Queue[Fetched | None],
) -> None:
    """Fetch every NIP with as many workers as the client's concurrency; None on `out` when done."""
    queue: asyncio.Queue[str] = asyncio.Queue()
    for nip in nips:
        queue.put_nowait(nip)

    async def worker() -> None:
        while not queue.empty():
            nip = queue.get_nowait()
            await out.put(await fetch_person(client, nip, instansi_id, units))

    try:
        await asyncio.gather(*(worker() for _ in range(min(client.config.concurrency, max(len(nips), 1)))))
    finally:
        await out.put(None)


async def write_all(
    maker: async_sessionmaker[AsyncSession],
    context: WriteContext,
    sync_id: str,
    units: dict[str, str],
    results: asyncio.Queue[Fetched | None],
    state: JobState,
    batch_size: int,
    progress: Progress,
) -> None:
    """Write fetched people in batches (one transaction each, with their outcomes) until the fetch ends."""
    batch: list[Fetched] = []
    finished = False
    while not finished:
        item = await results.get()
        if item is None:
            finished = True
        else:
            batch.append(item)
        if batch and (finished or len(batch) >= batch_size):
            await _write(maker, context, sync_id, units, batch, state)
            batch = []
            await progress(state.done / max(state.total, 1))


async def _write(
    maker: async_sessionmaker[AsyncSession],
    context: WriteContext,
    sync_id: str,
    units: dict[str, str],
    batch: list[Fetched],
    state: JobState,
) -> None:
    people = [f.person for f in batch if f.person is not None]
    async with maker() as session:
        stamp = WriteContext(
            context.agency_id, context.actor, source="siasn", fetched_at=min(f.fetched_at for f in batch)
        )
        written = (await write_batch(session, stamp, people, units)).outcomes if people else {}
        items = []
        for f in batch:
            outcome, field_name, reason = written.get(f.nip) or f.outcome or ("failed", None, "not written")
            items.append({"nip": f.nip, "outcome": outcome, "field": field_name, "reason": reason,
                          "fetched_at": f.fetched_at})  # fmt: skip
            state.counts[outcome] += 1
        state.done += len(batch)
        repository = SiasnRepository(session)
        await repository.add_items(sync_id, items)
        done = round(state.done / max(state.total, 1), 4)
        await repository.update_job(sync_id, counts=dict(state.counts), progress=done, heartbeat_at=utcnow())
        await session.commit()
