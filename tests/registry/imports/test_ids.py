"""Ids of the rows the set-based upserts insert: canonical UUIDv7 strings, distinct, and rising in the order the
statement inserts (NIP, then the record's key), whatever the order of the rows given; on PostgreSQL and SQLite
(and on PostgreSQL the ids of the employees' outbox events too)."""

from __future__ import annotations

import asyncio
import datetime as dt
import pathlib
import uuid

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine

from services.common.migrations import upgrade_to_head
from services.registry.imports.upsert import (
    RATINGS,
    EmployeeRow,
    RatingRow,
    WriteContext,
    upsert_employees,
    upsert_records,
)
from services.registry.imports.upsert.staging import id_prefix
from tests.registry.conftest import REGISTRY_DIR, migrated_database
from tests.registry.factory import nip
from tests.registry.imports.conftest import small_org

SEQS = ("733", "731", "734", "732")  # not in NIP order
TABLES = {
    "position_history": "nip",
    "rank_history": "nip",
    "education_history": "nip",
    "performance_ratings": "nip, year",
}


async def write_and_check(engine: AsyncEngine) -> None:
    agency_id, unit_id, position_id = await small_org(engine, "pemkab-ids")
    nips = [nip(birth="19900101", seq=s) for s in SEQS]
    async with AsyncSession(engine, expire_on_commit=False) as session:
        context = WriteContext(agency_id=agency_id, actor="test")
        people = [
            EmployeeRow(i, n, "Pegawai", "pns", unit_id, position_id, dt.date(2020, 1, 2), None, "II/c",
                        dt.date(2019, 4, 1), "sma")
            for i, n in enumerate(nips)
        ]  # fmt: skip
        assert (await upsert_employees(session, context, people)).created == 4
        pairs = [(year, n) for year in (2025, 2024) for n in nips]
        ratings = [RatingRow(i, n, year, "above", "meets") for i, (year, n) in enumerate(pairs)]
        assert (await upsert_records(session, RATINGS, context, ratings)).created == 8
        await session.commit()
        people_sql = ", ".join(f"'{n}'" for n in nips)
        for table, order in TABLES.items():
            query = f"SELECT id FROM {table} WHERE nip IN ({people_sql}) ORDER BY {order}"
            ids = [row[0] for row in await session.execute(text(query))]
            assert len(ids) == len(set(ids)) == (8 if table == "performance_ratings" else 4), table
            assert ids == sorted(ids), table
            assert all(str(uuid.UUID(i)) == i and uuid.UUID(i).version == 7 for i in ids), table
        if engine.dialect.name == "postgresql":  # the employees' events, by the statement-level trigger
            subjects = ", ".join(f"'employees/{n}'" for n in nips)
            query = f"SELECT id FROM outbox_events WHERE subject IN ({subjects}) ORDER BY subject"
            ids = [row[0] for row in await session.execute(text(query))]
            assert len(ids) == len(set(ids)) == 4
            assert ids == sorted(ids)
            assert all(str(uuid.UUID(i)) == i and uuid.UUID(i).version == 7 for i in ids)
            assert all(uuid.UUID(i).variant == uuid.RFC_4122 for i in ids)


async def test_upsert_ids_rise_in_key_order() -> None:
    engine = create_async_engine(await migrated_database("talenta_test_bulk_ids"))
    try:
        await write_and_check(engine)
    finally:
        await engine.dispose()


async def test_upsert_ids_rise_in_key_order_on_sqlite(tmp_path: pathlib.Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'registry.db'}"
    await asyncio.to_thread(upgrade_to_head, REGISTRY_DIR, url)
    engine = create_async_engine(url)
    try:
        await write_and_check(engine)
    finally:
        await engine.dispose()


def test_id_prefix_is_a_uuidv7_without_its_counter() -> None:
    prefixes = {id_prefix() for _ in range(1000)}
    assert len(prefixes) == 1000  # 42 random bits each
    for prefix in prefixes:
        value = uuid.UUID(prefix + "0000002a")
        assert (value.version, value.variant, str(value)[:28]) == (7, uuid.RFC_4122, prefix)
