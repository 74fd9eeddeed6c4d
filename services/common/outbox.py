"""A transactional outbox: events written in the transaction of the change they describe, served as a feed.

A change and its event commit (or roll back) together, because the event is a row of the same database written
by the same transaction (or by a trigger of the table changed). The feed's order is a `position` given to rows
only after they are committed, by one sequencer at a time (an advisory lock on PostgreSQL, the single writer on
SQLite): a reader that continues after the last position it saw can never skip an event that a slower
transaction committed later, which ids assigned at insert time could not promise.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, MetaData, String, Table, bindparam, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.db import UTCDateTime, is_postgres, utcnow
from services.common.ids import new_id

OUTBOX_TABLE = "outbox_events"
SEQUENCER_LOCK = 7_140_531_001  # pg_advisory_xact_lock key of the sequencer (any constant shared by replicas)
SEQUENCE_BATCH = 50_000
PURGE_BATCH = 10_000
_SEQUENCED: dict[str, Any] = {  # a feed index: sequenced events only (see `outbox_table`)
    "postgresql_where": text("position IS NOT NULL"),
    "sqlite_where": text("position IS NOT NULL"),
}


def outbox_table(metadata: MetaData) -> Table:
    """The `outbox_events` table, declared in each service's own metadata (and migrations)."""
    return Table(
        OUTBOX_TABLE,
        metadata,
        Column("id", String(36), primary_key=True),  # the event id receivers de-duplicate on
        Column("position", BigInteger, nullable=True),  # feed order; null until the sequencer reaches it
        Column("type", String(64), nullable=False),
        Column("agency_id", String(36), nullable=True),
        Column("subject", String(200), nullable=False),
        Column("data", JSON, nullable=False),
        Column("occurred_at", UTCDateTime(), nullable=False),
        # The feed's indexes hold sequenced events only: an event is written without a position, and an entry for
        # it would be written for nothing (the sequencer's UPDATE writes the real one); the feed's queries all
        # say `position IS NOT NULL`, or imply it.
        Index("uq_outbox_events_position", "position", unique=True, **_SEQUENCED),
        Index(
            "ix_outbox_events_pending",
            "occurred_at",
            postgresql_where=text("position IS NULL"),
            sqlite_where=text("position IS NULL"),
        ),
        Index("ix_outbox_events_agency_id_position", "agency_id", "position", **_SEQUENCED),
    )


@dataclass(frozen=True)
class Event:
    """One event to write: what happened, to what (`subject`, a resource path), in which agency."""

    type: str
    subject: str
    agency_id: str | None
    data: dict[str, Any]


@dataclass(frozen=True)
class StoredEvent:
    """An event as the feed serves it."""

    position: int
    id: str
    type: str
    subject: str
    agency_id: str | None
    data: dict[str, Any]
    occurred_at: dt.datetime


class Outbox:
    """The outbox of one service database."""

    def __init__(self, session: AsyncSession, table: Table) -> None:
        self.session = session
        self.table = table

    async def emit(self, events: Sequence[Event]) -> None:
        """Write events in the caller's transaction (they exist exactly when the transaction commits)."""
        if not events:
            return
        now = utcnow()
        rows = [
            {
                "id": new_id(),
                "type": event.type,
                "subject": event.subject,
                "agency_id": event.agency_id,
                "data": event.data,
                "occurred_at": now,
            }
            for event in events
        ]
        await self.session.execute(insert(self.table), rows)

    async def sequence(self, batch: int = SEQUENCE_BATCH) -> int:
        """Give committed events without a position the next positions, oldest first; how many were given."""
        if is_postgres(self.session):
            await self.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SEQUENCER_LOCK})
        statement = text(
            f"""
            UPDATE {OUTBOX_TABLE} SET position = numbered.top + numbered.n
            FROM (
              SELECT pending.id, ROW_NUMBER() OVER (ORDER BY pending.occurred_at, pending.id) AS n,
                (SELECT COALESCE(MAX(position), 0) FROM {OUTBOX_TABLE} WHERE position IS NOT NULL) AS top
              FROM (SELECT id, occurred_at FROM {OUTBOX_TABLE} WHERE position IS NULL
                    ORDER BY occurred_at, id LIMIT :batch) AS pending
            ) AS numbered
            WHERE {OUTBOX_TABLE}.id = numbered.id
            """
        )
        result = await self.session.execute(statement, {"batch": batch})
        return int(getattr(result, "rowcount", 0) or 0)

    async def read(
        self, *, after: int, limit: int, agency_id: str | None, types: Sequence[str] | None
    ) -> list[StoredEvent]:
        """Sequenced events after `after` in feed order, of one agency (None: all) and some types (None: all)."""
        table = self.table
        query = select(table).where(table.c.position.is_not(None), table.c.position > after)
        if agency_id is not None:
            query = query.where(table.c.agency_id == agency_id)
        if types is not None:
            query = query.where(table.c.type.in_(list(types)))
        rows = (await self.session.execute(query.order_by(table.c.position).limit(limit))).mappings().all()
        return [
            StoredEvent(
                position=int(row["position"]),
                id=row["id"],
                type=row["type"],
                subject=row["subject"],
                agency_id=row["agency_id"],
                data=dict(row["data"]),
                occurred_at=row["occurred_at"],
            )
            for row in rows
        ]

    async def has_purgeable(self, before: dt.datetime) -> bool:
        """True when `purge(before)` would delete something (a read: it takes no write lock)."""
        statement = text(
            f"""
            SELECT 1 FROM {OUTBOX_TABLE}
            WHERE position IS NOT NULL AND occurred_at < :before
              AND position < (SELECT MAX(position) FROM {OUTBOX_TABLE} WHERE position IS NOT NULL)
            LIMIT 1
            """
        ).bindparams(bindparam("before", type_=UTCDateTime()))
        return (await self.session.execute(statement, {"before": before})).first() is not None

    async def purge(self, before: dt.datetime, batch: int = PURGE_BATCH) -> int:
        """Delete up to `batch` sequenced events that occurred before `before`, oldest first; how many went.

        The newest sequenced event always stays, whatever its age: the sequencer continues from the highest
        position there is, so positions never start again and a reader's `after` stays valid."""
        statement = text(
            f"""
            DELETE FROM {OUTBOX_TABLE} WHERE id IN (
              SELECT id FROM {OUTBOX_TABLE}
              WHERE position IS NOT NULL AND occurred_at < :before
                AND position < (SELECT MAX(position) FROM {OUTBOX_TABLE} WHERE position IS NOT NULL)
              ORDER BY position LIMIT :batch
            )
            """
        ).bindparams(bindparam("before", type_=UTCDateTime()))  # stored as each database stores UTC timestamps
        result = await self.session.execute(statement, {"before": before, "batch": batch})
        return int(getattr(result, "rowcount", 0) or 0)

    async def last_position(self) -> int:
        """The highest position given so far (0 when none)."""
        column = self.table.c.position
        query = select(column).where(column.is_not(None)).order_by(column.desc()).limit(1)
        return int((await self.session.execute(query)).scalar_one_or_none() or 0)
