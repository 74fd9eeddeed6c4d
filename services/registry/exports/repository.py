"""Streaming the scoring-inputs query out as CSV: PostgreSQL's own COPY, or batches of rows on SQLite.

Both produce the same bytes: a header line, `,` separated, `\\n` line ends, NULL as an empty field, dates
`YYYY-MM-DD`, numbers as PostgreSQL prints them. Memory stays flat: at most a few chunks are in flight."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import re
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.common.db import is_postgres

SQLITE_BATCH = 5_000
QUEUE_CHUNKS = 8  # COPY waits when the client reads slower than PostgreSQL writes
PG_SETTINGS = ("jit = off", "work_mem = '64MB'")
_PARAM = re.compile(r"(?<![:\w]):([a-z_]+)\b")


def csv_field(value: Any) -> str:
    """One value as PostgreSQL's COPY ... CSV writes it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    textual = str(value)
    if textual == "" or textual == "\\." or any(ch in textual for ch in ',"\r\n'):
        return '"' + textual.replace('"', '""') + '"'
    return textual


def csv_lines(rows: Sequence[Sequence[Any]]) -> bytes:
    """Rows as CSV lines."""
    return "".join(",".join(csv_field(v) for v in row) + "\n" for row in rows).encode()


def positional(query: str, params: Mapping[str, Any]) -> tuple[str, list[Any]]:
    """A query with `:name` parameters rewritten to asyncpg's `$n`, and the values in that order."""
    order: list[str] = []

    def number(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in order:
            order.append(name)
        return f"${order.index(name) + 1}"

    rewritten = _PARAM.sub(number, query)
    return rewritten, [params[name] for name in order]


async def stream_csv(
    maker: async_sessionmaker[AsyncSession],
    query: str,
    params: Mapping[str, Any],
    columns: Sequence[str],
    pg_settings: Sequence[str] = (),
) -> AsyncIterator[bytes]:
    """The query's rows as CSV chunks, header first, read in one consistent snapshot (`pg_settings`: extra SET
    LOCAL planner settings on PostgreSQL)."""
    async with maker() as session:
        if is_postgres(session):
            async for chunk in _copy_out(session, query, params, pg_settings):
                yield chunk
        else:
            yield csv_lines([columns])
            iso = {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in params.items()}
            result = await (await session.connection()).stream(text(query), iso)
            async for rows in result.partitions(SQLITE_BATCH):
                yield csv_lines(rows)


async def _copy_out(
    session: AsyncSession, query: str, params: Mapping[str, Any], extra: Sequence[str]
) -> AsyncIterator[bytes]:
    # One big sort-and-window query: compiling it (JIT) costs more than it saves, and its sorts want memory.
    for setting in (*PG_SETTINGS, *extra):
        await session.execute(text(f"SET LOCAL {setting}"))
    raw = await (await session.connection()).get_raw_connection()
    driver: Any = raw.driver_connection
    statement, args = positional(query, params)
    chunks: asyncio.Queue[bytes | None] = asyncio.Queue(maxsize=QUEUE_CHUNKS)

    async def sink(chunk: bytes) -> None:
        await chunks.put(bytes(chunk))

    async def produce() -> None:
        try:
            await driver.copy_from_query(statement, *args, output=sink, format="csv", header=True)
        finally:
            await chunks.put(None)

    task = asyncio.create_task(produce())
    try:
        while (chunk := await chunks.get()) is not None:
            yield chunk
        await task  # a failed COPY raises here
    finally:
        if not task.done():  # the client went away mid-stream: stop COPY, and never reuse its connection
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
            await (await session.connection()).invalidate()
