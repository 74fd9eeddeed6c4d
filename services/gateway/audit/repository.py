"""All SQL of the audit trail."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import Table, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from services.gateway.audit.models import AuditEvent

_INSERT = insert(cast(Table, AuditEvent.__table__))


async def insert_events(connection: AsyncConnection, rows: Sequence[dict[str, Any]]) -> None:
    """Insert many events in one Core statement (executemany), inside the caller's transaction."""
    if rows:
        await connection.execute(_INSERT, list(rows))


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
