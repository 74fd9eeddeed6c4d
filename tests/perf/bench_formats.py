"""Bench: the scoring-inputs export's wire format, end to end: CSV (what the registry answers) against NDJSON and
Arrow IPC, the two formats the bulk-data issue named. Each pipeline starts at the registry's SQL and ends with the
engine's columns in the scoring service (`inputs_from_arrow`), on the same national export of the same data:

- CSV: PostgreSQL writes it (`COPY (SELECT ...) TO STDOUT (FORMAT csv, HEADER)`, as `exports/repository.py`), and
  scoring parses it with pyarrow's C++ reader (`jobs/compute.py::read_export`).
- NDJSON: PostgreSQL writes it too (`row_to_json` of each row, copied out as raw lines), and scoring parses it with
  pyarrow's C++ JSON reader; dates arrive as text and are cast.
- Arrow IPC: PostgreSQL has no Arrow writer, so the registry reads the rows (asyncpg, binary protocol) and builds
  record batches of 10,000 rows, written as an IPC stream; scoring reads the stream (no parsing).

The HTTP hop is the same for all three and costs with the bytes, which are printed. Every pipeline's table is
checked equal to the CSV one (the comparison is of the same data or it stops). Rounds alternate the formats; the
medians are printed as ratios to CSV. Data: the export bench's database (`BENCH_FORMATS_PEOPLE`, default 100000,
seeded unless it exists). Run: python -m tests.perf formats."""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import statistics
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import asyncpg
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pajson

from services.registry.exports.query import COLUMNS, scoring_inputs_sql
from services.registry.exports.repository import PG_SETTINGS, positional
from services.registry.exports.service import ExportRequest, query_params
from services.scoring.engine.arrow import inputs_from_arrow
from services.scoring.jobs.compute import read_export
from tests.perf.bench_export import database_of

PERIOD = 2025
ROUNDS = 3
ARROW_BATCH = 10_000

Pipeline = Callable[[asyncpg.Connection, str, list[Any], pa.Schema], Awaitable[tuple[pa.Table, int]]]


def export_query() -> tuple[str, list[Any]]:
    """The national export of PERIOD as the registry runs it: SQL with asyncpg's `$n`, and its arguments."""
    request = ExportRequest(None, PERIOD, None, None, sanction_lookback_years=5, award_lookback_years=5)
    return positional(scoring_inputs_sql(by_agency=False, levels=None), query_params(request))


@contextlib.asynccontextmanager
async def export_transaction(connection: asyncpg.Connection) -> AsyncIterator[None]:
    """A read-only transaction with the registry export's planner settings."""
    async with connection.transaction(readonly=True):
        for setting in PG_SETTINGS:
            await connection.execute(f"SET LOCAL {setting}")
        yield


async def _copy(connection: asyncpg.Connection, query: str, args: list[Any], **options: Any) -> bytes:
    """What COPY writes for `query` (asyncpg binds the arguments into the COPY's text)."""
    chunks: list[bytes] = []

    async def sink(chunk: bytes) -> None:
        chunks.append(bytes(chunk))

    async with export_transaction(connection):
        await connection.copy_from_query(query, *args, output=sink, **options)
    return b"".join(chunks)


async def via_csv(
    connection: asyncpg.Connection, statement: str, args: list[Any], schema: pa.Schema
) -> tuple[pa.Table, int]:
    """The registry's CSV, read by scoring's reader (whose types are the `schema` of the others)."""
    data = await _copy(connection, statement, args, format="csv", header=True)
    return read_export(data), len(data)


async def via_ndjson(
    connection: asyncpg.Connection, statement: str, args: list[Any], schema: pa.Schema
) -> tuple[pa.Table, int]:
    """One JSON object per line from PostgreSQL, read by pyarrow's JSON reader with the CSV reader's types."""
    # CSV mode with a quote and a delimiter that JSON text never holds raw (row_to_json escapes control
    # characters): each row's JSON comes out as one line, neither quoted nor escaped.
    lines = await _copy(connection, f"SELECT row_to_json(q) FROM ({statement}) q", args,
                        format="csv", quote="\x01", delimiter="\x02")  # fmt: skip
    as_text = pa.schema([pa.field(f.name, pa.string() if f.type == pa.date32() else f.type) for f in schema])
    table = pajson.read_json(io.BytesIO(lines), parse_options=pajson.ParseOptions(explicit_schema=as_text))
    dates = {f.name for f in schema if f.type == pa.date32()}
    columns = [pc.cast(table[name], pa.date32()) if name in dates else table[name] for name in COLUMNS]
    return pa.table(columns, schema=schema), len(lines)


async def via_arrow(
    connection: asyncpg.Connection, statement: str, args: list[Any], schema: pa.Schema
) -> tuple[pa.Table, int]:
    """Rows read by the registry and written as Arrow record batches (an IPC stream), read back by scoring."""
    sink = pa.BufferOutputStream()
    async with export_transaction(connection):
        with pa.ipc.new_stream(sink, schema) as writer:
            cursor = connection.cursor(statement, *args, prefetch=ARROW_BATCH)
            batch: list[asyncpg.Record] = []
            async for record in cursor:
                batch.append(record)
                if len(batch) == ARROW_BATCH:
                    writer.write_batch(_record_batch(batch, schema))
                    batch = []
            if batch:
                writer.write_batch(_record_batch(batch, schema))
    data = sink.getvalue()
    return pa.ipc.open_stream(data).read_all(), data.size


def _record_batch(rows: list[asyncpg.Record], schema: pa.Schema) -> pa.RecordBatch:
    columns = list(zip(*rows, strict=True))
    arrays = [_array(list(values), field.type) for values, field in zip(columns, schema, strict=True)]
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


def _array(values: list[Any], kind: pa.DataType) -> pa.Array:
    if pa.types.is_floating(kind):
        values = [None if v is None else float(v) for v in values]
    elif pa.types.is_string(kind):
        values = [None if v is None else str(v) for v in values]
    return pa.array(values, type=kind)


PIPELINES: dict[str, Pipeline] = {"csv": via_csv, "ndjson": via_ndjson, "arrow ipc": via_arrow}


async def run() -> None:
    people = int(os.environ.get("BENCH_FORMATS_PEOPLE", "100000"))
    url = (await database_of(people)).replace("+asyncpg", "")
    statement, args = export_query()
    connection = await asyncpg.connect(url)
    seconds: dict[str, list[float]] = {name: [] for name in PIPELINES}
    sizes: dict[str, int] = {}
    try:
        reference, _ = await via_csv(connection, statement, args, pa.schema([]))  # the types every format gets
        for _ in range(ROUNDS):
            for name, pipeline in PIPELINES.items():
                started = time.perf_counter()
                table, sizes[name] = await pipeline(connection, statement, args, reference.schema)
                inputs_from_arrow(table)
                seconds[name].append(time.perf_counter() - started)
                if not table.equals(reference):
                    raise AssertionError(f"{name} does not carry the same data as csv")
    finally:
        await connection.close()
    rows = reference.num_rows
    base = statistics.median(seconds["csv"])
    for name, values in seconds.items():
        median = statistics.median(values)
        print(f"{name:>10}: {rows} rows, {sizes[name] / 1024 / 1024:6.1f} MiB, median of {ROUNDS} {median:6.2f} s "
              f"= {rows / median:9,.0f} rows/s, {median / base:.2f}x csv's time")  # fmt: skip
    print("time: from the registry's SQL to the engine's columns in scoring, in one process (no HTTP hop)")


def main() -> None:
    """Entry point for `python -m tests.perf formats`."""
    asyncio.run(run())
