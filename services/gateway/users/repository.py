"""All SQL of user administration."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway.auth.models import User


async def list_users(session: AsyncSession, limit: int, after_id: str | None, agency_id: str | None) -> list[User]:
    """Users ordered by id, `limit + 1` of them, optionally of one agency."""
    query = select(User).order_by(User.id).limit(limit + 1)
    if after_id is not None:
        query = query.where(User.id > after_id)
    if agency_id is not None:
        query = query.where(User.agency_id == agency_id)
    return list((await session.execute(query)).scalars().all())


async def get_user(session: AsyncSession, user_id: str) -> User | None:
    """The user with this id."""
    return await session.get(User, user_id)


async def add_user(session: AsyncSession, user: User) -> bool:
    """Insert a user; False when the username is taken."""
    try:
        async with session.begin_nested():
            session.add(user)
            await session.flush()
    except IntegrityError:
        return False
    return True


async def save(session: AsyncSession) -> None:
    """Flush pending changes."""
    await session.flush()
