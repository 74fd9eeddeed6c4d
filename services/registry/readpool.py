"""A small pool of the PostgreSQL driver itself, for the one read that dominates traffic (GET an employee)."""

from __future__ import annotations

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy.engine import make_url

from services.registry.settings import RegistrySettings


async def open_read_pool(settings: RegistrySettings) -> asyncpg.Pool | None:
    """An asyncpg pool on the registry database (None when disabled by `read_pool_size = 0`)."""
    if settings.read_pool_size == 0:
        return None
    dsn = make_url(settings.database_url).set(drivername="postgresql").render_as_string(hide_password=False)
    return await asyncpg.create_pool(
        dsn,
        min_size=1,
        max_size=settings.read_pool_size,
        statement_cache_size=settings.db_statement_cache_size,
        # Same session settings as the engine's connections: timestamps come back aware, in UTC.
        server_settings={"application_name": settings.service_name, "timezone": "UTC"},
        reset=_nothing_to_reset,
    )


async def _nothing_to_reset(connection: asyncpg.Connection) -> None:
    """The pool's reset on release, a no-op: these connections only ever run one prepared SELECT outside a
    transaction, so there is no session state to clear. asyncpg's default (advisory unlocks, CLOSE ALL, UNLISTEN,
    RESET ALL) costs a round trip to PostgreSQL on every release, as long as the read itself. asyncpg still rolls
    back a connection left inside a transaction before calling this."""
