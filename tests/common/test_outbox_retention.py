"""Outbox retention: events past the retention go, a batch per transaction, on PostgreSQL and SQLite alike; the
newest event always stays, so positions continue after a purge and a reader's `after` keeps its meaning."""

from __future__ import annotations

import asyncio
import datetime as dt

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from services.common.db import create_sessionmaker, utcnow
from services.common.outbox import Event, Outbox
from services.common.outbox_keeper import OutboxKeeper
from tests.common.conftest import OUTBOX

table = OUTBOX


async def emit(engine: AsyncEngine, count: int, days_ago: int) -> None:
    """`count` sequenced events that occurred `days_ago` days ago."""
    maker = create_sessionmaker(engine)
    async with maker() as session, session.begin():
        events = [Event("thing.changed", f"things/{i}", None, {"i": i}) for i in range(count)]
        await Outbox(session, table).emit(events)
        when = utcnow() - dt.timedelta(days=days_ago)
        await session.execute(update(table).where(table.c.position.is_(None)).values(occurred_at=when))
        await Outbox(session, table).sequence()


async def positions(engine: AsyncEngine) -> list[int]:
    async with create_sessionmaker(engine)() as session:
        events = await Outbox(session, table).read(after=0, limit=100, agency_id=None, types=None)
    return [event.position for event in events]


async def test_events_past_the_retention_go_in_batches_and_the_rest_stay(outbox_engine: AsyncEngine) -> None:
    await emit(outbox_engine, 5, days_ago=120)
    await emit(outbox_engine, 3, days_ago=10)
    keeper = OutboxKeeper(create_sessionmaker(outbox_engine), table, retention_days=90, interval_seconds=3600, batch=2)
    assert await keeper.purge_once() == 5  # three transactions: 2, 2, 1
    assert await positions(outbox_engine) == [6, 7, 8]
    assert await keeper.purge_once() == 0


async def test_the_newest_event_stays_however_old_so_positions_continue(outbox_engine: AsyncEngine) -> None:
    await emit(outbox_engine, 4, days_ago=200)
    keeper = OutboxKeeper(create_sessionmaker(outbox_engine), table, retention_days=90, interval_seconds=3600)
    assert await keeper.purge_once() == 3
    assert await positions(outbox_engine) == [4]
    await emit(outbox_engine, 1, days_ago=0)
    assert await positions(outbox_engine) == [4, 5]  # not 1 again: a reader at after=4 sees the new event


async def test_the_keeper_purges_when_started_and_stops_cleanly(outbox_engine: AsyncEngine) -> None:
    await emit(outbox_engine, 3, days_ago=100)
    await emit(outbox_engine, 1, days_ago=1)
    keeper = OutboxKeeper(create_sessionmaker(outbox_engine), table, retention_days=30, interval_seconds=0.05)
    keeper.start()
    try:
        for _ in range(100):
            if await positions(outbox_engine) == [4]:
                break
            await asyncio.sleep(0.05)
    finally:
        await keeper.stop()
    assert await positions(outbox_engine) == [4]


async def test_with_nothing_to_purge_the_keeper_does_not_wait_for_the_write_lock(outbox_engine: AsyncEngine) -> None:
    # On SQLite a request that read and is about to write must not find the lock taken by a purge of nothing.
    await emit(outbox_engine, 3, days_ago=1)
    keeper = OutboxKeeper(create_sessionmaker(outbox_engine), table, retention_days=30, interval_seconds=3600)
    async with outbox_engine.connect() as holder:
        if outbox_engine.dialect.name == "sqlite":
            await holder.exec_driver_sql("BEGIN IMMEDIATE")  # another writer holds SQLite's one write lock
        else:
            await holder.exec_driver_sql(f"LOCK TABLE {table.name} IN EXCLUSIVE MODE")  # writes wait, reads do not
        assert await asyncio.wait_for(keeper.purge_once(), 5) == 0
        await holder.rollback()
