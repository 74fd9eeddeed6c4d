"""Set-based writing: temporary staging tables (COPY on PostgreSQL, batched inserts on SQLite), typed SQL, ids.

Every upsert stages its rows, finds the problems only the database can know with one query, then writes with a
few INSERT ... SELECT / UPDATE ... FROM statements over the whole stage: never a statement per row."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import Column, Date, MetaData, Table, bindparam, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import TextClause

from services.common.db import UTCDateTime, is_postgres, utcnow
from services.common.ids import new_id
from services.registry.clock import today
from services.registry.imports.messages import RowError, row_error

SQLITE_BATCH = 2_000
TEMP_BUFFERS = "256MB"
# The advisory lock that bulk writes hold shared and the employees' delete trigger takes exclusively (`lock_agency`).
BULK_WRITES_LOCK_KEY = -3276562711946571073
_TYPED_PARAMS: dict[str, Any] = {"now": UTCDateTime(), "fetched_at": UTCDateTime(), "today": Date()}


class ConcurrentWrite(Exception):
    """Another writer changed the rows being written (after they were checked); roll back and try again."""


@dataclass(frozen=True)
class WriteContext:
    """Who writes into which agency, from which source, and the clock of the write."""

    agency_id: str
    actor: str
    source: str = "import"  # "import", "siasn" or "manual" (the `source` column of every row written)
    fetched_at: dt.datetime | None = None  # when the source's data was read (SIASN); None for files
    caller_nip: str | None = None  # nobody records their own rating or assessment
    today: dt.date = field(default_factory=today)
    now: dt.datetime = field(default_factory=utcnow)

    def params(self) -> dict[str, Any]:
        """The bind parameters every statement may use."""
        return {
            "agency": self.agency_id,
            "actor": self.actor,
            "source": self.source,
            "fetched_at": self.fetched_at,
            "today": self.today,
            "now": self.now,
        }


@dataclass
class Outcome:
    """What an upsert did: rows created, changed and found identical, and rows refused (with why)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def written(self) -> int:
        """Rows applied: created, changed, or already as given."""
        return self.created + self.updated + self.unchanged


def sql(statement: str) -> TextClause:
    """A text statement whose date and timestamp parameters are typed (so SQLite stores them as the ORM does)."""
    clause = text(statement)
    typed = [bindparam(name, type_=kind) for name, kind in _TYPED_PARAMS.items() if f":{name}" in statement]
    return clause.bindparams(*typed) if typed else clause


def bulk_ids(count: int) -> list[str]:
    """`count` UUIDv7 strings (this millisecond, random bits), made in NumPy rather than one call per id."""
    if count <= 0:
        return []
    raw = np.frombuffer(os.urandom(16 * count), dtype=np.uint8).reshape(count, 16).copy()
    raw[:, :6] = np.frombuffer((time.time_ns() // 1_000_000).to_bytes(6, "big"), dtype=np.uint8)
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x70  # version 7
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80  # RFC 9562 variant
    hexed = np.frombuffer(raw.tobytes().hex().encode(), dtype="S1").reshape(count, 32)
    out = np.full((count, 36), b"-", dtype="S1")
    for start, end, target in ((0, 8, 0), (8, 12, 9), (12, 16, 14), (16, 20, 19), (20, 32, 24)):
        out[:, target : target + end - start] = hexed[:, start:end]
    ids: list[str] = out.view("S36").ravel().astype("U36").tolist()
    return ids


def id_prefix() -> str:
    """The first 28 characters of a UUIDv7 (RFC 9562): this millisecond, then 42 random bits; `ordered_id` appends
    an 8-hex-digit counter (method 1 of RFC 9562: a dedicated counter in the low bits)."""
    return new_id()[:28]


def ordered_id(session: AsyncSession, order: str) -> str:
    """The SQL of a new row id for an INSERT ... SELECT (binds `:id_prefix`): `id_prefix()` then the row's number in
    `order`, so a statement inserting rows in that order fills its primary key's btree at the right edge (random
    ids cost a page at random per row) and ids still sort by creation. A statement writes at most 2**32 rows."""
    number = f"row_number() OVER (ORDER BY {order})"
    counter = f"lpad(to_hex({number}), 8, '0')" if is_postgres(session) else f"printf('%08x', {number})"
    return f":id_prefix || {counter}"


def agency_lock_key(agency_id: str) -> int:
    """The PostgreSQL advisory lock key of an agency's bulk writes (a signed 64-bit int)."""
    return int.from_bytes(hashlib.sha256(b"talenta-bulk:" + agency_id.encode()).digest()[:8], "big", signed=True)


async def lock_agency(session: AsyncSession, agency_id: str) -> None:
    """Serialise bulk writes into one agency until the transaction ends, and keep every person where they are
    until then (PostgreSQL; SQLite has one writer).

    The second part: a bulk write holds `BULK_WRITES_LOCK_KEY` shared, and a statement deleting employees or
    changing a NIP takes it exclusively first (the trigger of migration 4ed9f8e44583). So a person whose records
    this write checked cannot be deleted before it commits, which the foreign keys' per-row locks ensured before
    (see `keys.py`): call it before checking the staged rows."""
    if is_postgres(session):
        await session.execute(
            text("SELECT pg_advisory_xact_lock_shared(:people), pg_advisory_xact_lock(:agency)"),
            {"people": BULK_WRITES_LOCK_KEY, "agency": agency_lock_key(agency_id)},
        )


class Stage:
    """A temporary table holding rows to write; private to the session's connection."""

    def __init__(self, name: str, columns: Sequence[tuple[str, Any]], loaded: int) -> None:
        self.table = Table(name, MetaData(), *(Column(n, kind) for n, kind in columns), prefixes=["TEMPORARY"])
        self.name = name
        self.loaded = [c.name for c in self.table.columns][:loaded]  # the columns callers supply

    async def create(self, session: AsyncSession) -> None:
        """(Re)create the empty stage."""
        await _roomy_temp_buffers(session)
        await self.drop(session)
        connection = await session.connection()
        await connection.run_sync(lambda sync: self.table.create(sync))

    async def drop(self, session: AsyncSession) -> None:
        """Remove the stage (also done by PostgreSQL at the end of the session)."""
        await session.execute(text(f"DROP TABLE IF EXISTS {self.name}"))

    async def append(self, session: AsyncSession, records: Sequence[tuple[Any, ...]]) -> None:
        """Add rows (tuples in the order of the loaded columns): COPY on PostgreSQL, batched inserts on SQLite."""
        if not records:
            return
        if is_postgres(session):
            raw = await (await session.connection()).get_raw_connection()
            driver: Any = raw.driver_connection
            await driver.copy_records_to_table(self.name, records=records, columns=self.loaded)
            return
        for start in range(0, len(records), SQLITE_BATCH):
            chunk = records[start : start + SQLITE_BATCH]
            await session.execute(self.table.insert(), [dict(zip(self.loaded, r, strict=True)) for r in chunk])

    async def analyze(self, session: AsyncSession, keys: Sequence[str]) -> None:
        """Give the planner the stage's size (autovacuum never analyses temporary tables) and its `keys`' spread.

        On PostgreSQL only the key columns (those joined and grouped on) are sampled: statistics of all columns
        cost ten times as much, and no plan reads them."""
        columns = f" ({', '.join(keys)})" if is_postgres(session) else ""
        await session.execute(text(f"ANALYZE {self.name}{columns}"))

    async def duplicates(self, session: AsyncSession, keys: Sequence[str], field_name: str) -> list[RowError]:
        """Rows whose key appears more than once in the stage (every occurrence is refused)."""
        on = " AND ".join(f"d.{k} = s.{k}" for k in keys)
        group = ", ".join(keys)
        query = (
            f"SELECT s.row_no, d.first_row, d.n FROM {self.name} s JOIN (SELECT {group}, MIN(row_no) AS first_row, "
            f"COUNT(*) AS n FROM {self.name} GROUP BY {group} HAVING COUNT(*) > 1) d ON {on} ORDER BY s.row_no"
        )
        return [
            row_error(int(r), field_name, "duplicate_in_file", count=int(n), first=int(first))
            for r, first, n in (await session.execute(text(query))).all()
        ]

    async def discard(self, session: AsyncSession, rows: Sequence[int]) -> None:
        """Drop refused rows from the stage before writing (partial imports)."""
        unique = sorted(set(rows))
        for start in range(0, len(unique), 1000):
            chunk = unique[start : start + 1000]
            marks = ", ".join(str(int(r)) for r in chunk)
            await session.execute(text(f"DELETE FROM {self.name} WHERE row_no IN ({marks})"))


async def _roomy_temp_buffers(session: AsyncSession) -> None:
    # PostgreSQL keeps temporary tables in 8 MB of session memory by default; a stage of a million rows would go
    # to disk on every pass. The size can be set only before the session's first temporary table, hence the try.
    if not is_postgres(session):
        return
    try:
        async with session.begin_nested():
            await session.execute(text(f"SET temp_buffers = '{TEMP_BUFFERS}'"))
    except DBAPIError:
        pass  # this pooled connection has had temporary tables: it keeps the size it has
