"""The outbox's feed indexes hold sequenced events only (`position IS NOT NULL`): every query of the feed and the
sequencer still finds its index, on PostgreSQL and SQLite (each plan read with scans of the table discouraged)."""

from __future__ import annotations

import asyncio
import pathlib
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine

from services.common.db import create_sessionmaker, utcnow
from services.common.migrations import upgrade_to_head
from services.common.outbox import Event, Outbox
from tests.common.conftest import OUTBOX, OUTBOX_METADATA
from tests.conftest import recreate_database

table = OUTBOX
ROOT = pathlib.Path(__file__).resolve().parents[2]
POSITION, AGENCY_POSITION = "uq_outbox_events_position", "ix_outbox_events_agency_id_position"


@pytest.fixture
async def engine(outbox_engine: AsyncEngine) -> AsyncEngine:
    """Sequenced events of three agencies, and a few not sequenced yet (no entry in the feed's indexes)."""
    async with create_sessionmaker(outbox_engine)() as session, session.begin():
        events = [Event("thing.changed", f"things/{i}", f"agency-{i % 3}", {"i": i}) for i in range(300)]
        await Outbox(session, table).emit(events)
        await Outbox(session, table).sequence()
        await Outbox(session, table).emit(events[:5])
    return outbox_engine


async def plan(engine: AsyncEngine, call: Callable[[Outbox], Awaitable[Any]]) -> str:
    """The plans of the statements `call` runs (rolled back), as one text."""
    seen: list[tuple[str, Any]] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        if not statement.lstrip().upper().startswith(("SET", "EXPLAIN", "SELECT PG_ADVISORY")):
            seen.append((statement, parameters))

    async with engine.connect() as connection:
        event.listen(connection.sync_connection, "before_cursor_execute", record)
        async with AsyncSession(bind=connection) as session:
            await call(Outbox(session, table))
            await session.rollback()
        event.remove(connection.sync_connection, "before_cursor_execute", record)
        postgres = engine.dialect.name == "postgresql"
        explain = "EXPLAIN " if postgres else "EXPLAIN QUERY PLAN "
        plans = []
        async with connection.begin():
            if postgres:
                await connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
            for statement, parameters in seen:
                rows = (await connection.exec_driver_sql(explain + statement, parameters)).all()
                plans.append("\n".join(str(row[-1]) for row in rows))
    assert plans, "no statement ran"
    return "\n".join(plans)


async def test_the_feed_reads_by_its_indexes(engine: AsyncEngine) -> None:
    everyone = await plan(engine, lambda o: o.read(after=10, limit=50, agency_id=None, types=None))
    assert POSITION in everyone
    one_agency = await plan(engine, lambda o: o.read(after=10, limit=50, agency_id="agency-1", types=None))
    assert AGENCY_POSITION in one_agency


async def test_the_sequencer_and_the_keeper_find_the_last_position_by_index(engine: AsyncEngine) -> None:
    for call in (lambda o: o.sequence(), lambda o: o.last_position(), lambda o: o.purge(utcnow()),
                 lambda o: o.has_purgeable(utcnow())):  # fmt: skip
        assert POSITION in await plan(engine, call)


@pytest.mark.parametrize("service", ["registry", "scoring"])
async def test_each_service_migrates_the_outbox_indexes_the_model_declares(service: str) -> None:
    query = (  # the primary key's name follows each service's naming convention: not compared
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'outbox_events' "
        "AND (indexname LIKE 'ix%' OR indexname LIKE 'uq%') ORDER BY indexname"
    )
    migrated = await recreate_database(f"talenta_test_outbox_indexes_{service}")
    await asyncio.to_thread(upgrade_to_head, ROOT / "services" / service, migrated)
    declared = await recreate_database("talenta_test_outbox_indexes_declared")
    found = {}
    for url in (migrated, declared):
        engine = create_async_engine(url)
        async with engine.begin() as connection:
            if url == declared:
                await connection.run_sync(OUTBOX_METADATA.create_all)
            found[url] = (await connection.exec_driver_sql(query)).all()
        await engine.dispose()
    assert found[migrated] == found[declared]
    assert sum('WHERE ("position" IS NOT NULL)' in definition for _, definition in found[declared]) == 2
