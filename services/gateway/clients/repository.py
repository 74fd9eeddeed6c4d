"""All SQL of client administration."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway.auth.models import Client


async def list_clients(session: AsyncSession, limit: int, after_id: str | None, agency_id: str | None) -> list[Client]:
    """Clients ordered by id, `limit + 1` of them, optionally of one agency."""
    query = select(Client).order_by(Client.id).limit(limit + 1)
    if after_id is not None:
        query = query.where(Client.id > after_id)
    if agency_id is not None:
        query = query.where(Client.agency_id == agency_id)
    return list((await session.execute(query)).scalars().all())


async def get_by_client_id(session: AsyncSession, client_id: str) -> Client | None:
    """The client with this public client id."""
    return (await session.execute(select(Client).where(Client.client_id == client_id))).scalar_one_or_none()


async def add_client(session: AsyncSession, client: Client) -> bool:
    """Insert a client; False when the client id is taken."""
    try:
        async with session.begin_nested():
            session.add(client)
            await session.flush()
    except IntegrityError:
        return False
    return True


async def save(session: AsyncSession) -> None:
    """Flush pending changes."""
    await session.flush()
