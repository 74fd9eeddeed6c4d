"""All SQL of the audit trail."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import Column, Integer, Table, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from services.gateway.audit.models import AuditEvent

_TABLE = cast(Table, AuditEvent.__table__)
_INSERT = insert(_TABLE)
_COLUMNS = tuple(column.name for column in _TABLE.columns)


def _array_type(column: Column[Any]) -> str:
    if isinstance(column.type, Integer):
        return "int[]"
    return "timestamptz[]" if column.name == "occurred_at" else "text[]"


# All the rows of a batch as one statement over column arrays: one round trip, whatever the batch size.
_UNNEST_INSERT = (
    f"INSERT INTO audit_events ({', '.join(_COLUMNS)}) SELECT * FROM unnest("
    + ", ".join(f"${i}::{_array_type(column)}" for i, column in enumerate(_TABLE.columns, start=1))
    + ")"
)


async def insert_events(connection: AsyncConnection, rows: Sequence[dict[str, Any]]) -> None:
    """Insert many events in one Core statement (executemany), inside the caller's transaction."""
    if rows:
        await connection.execute(_INSERT, list(rows))


async def insert_events_autocommit(driver: Any, rows: Sequence[dict[str, Any]]) -> None:
    """Insert many events in one statement on an asyncpg connection outside any transaction.

    PostgreSQL runs a lone statement as its own transaction: all rows or none, committed (and, with
    synchronous_commit on, flushed to the WAL) when it returns, without the BEGIN and COMMIT round trips."""
    if rows:
        await driver.execute(_UNNEST_INSERT, *([row.get(name) for row in rows] for name in _COLUMNS))


async def list_events(
    session: AsyncSession,
    *,
    limit: int,
    before_id: str | None,
    nip: str | None = None,
    actor: str | None = None,
    since: dt.datetime | None = None,
    agency_id: str | None = None,
) -> list[AuditEvent]:
    """Events newest first, `limit + 1` of them; `agency_id` keeps those by or about that agency."""
    query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit + 1)
    if before_id is not None:
        query = query.where(AuditEvent.id < before_id)
    if nip is not None:
        query = query.where(AuditEvent.nip == nip)
    if actor is not None:
        query = query.where(or_(AuditEvent.actor == actor, AuditEvent.actor_name == actor))
    if since is not None:
        query = query.where(AuditEvent.occurred_at >= since)
    if agency_id is not None:
        query = query.where(or_(AuditEvent.agency_id == agency_id, AuditEvent.actor_agency_id == agency_id))
    return list((await session.execute(query)).scalars().all())
