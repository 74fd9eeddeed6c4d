"""Which database errors mean "unavailable, retry shortly" (503) rather than a bug (500)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy.exc import DBAPIError, PendingRollbackError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout

# SQLSTATE classes of a server that cannot serve now: 08 connection exception, 53 insufficient resources
# (too many connections, out of memory or disk), 57P operator intervention (shutdown, terminated, starting up).
_UNAVAILABLE_SQLSTATES = ("08", "53", "57P")
_UNAVAILABLE_DRIVER_ERRORS = (asyncpg.exceptions.ConnectionDoesNotExistError, ConnectionError, TimeoutError)
# SQLAlchemy's code for "Can't reconnect until invalid transaction is rolled back": the statement after a lost
# connection, in the same transaction. (A session broken by its own failed flush has another code: a bug.)
_LOST_CONNECTION_PENDING_ROLLBACK = "8s2b"
# asyncpg's protocol raises this (not a connection error) when the server ends a session in the middle of an
# operation, e.g. pg_terminate_backend as a failover or maintenance does (MagicStack/asyncpg#1069); the
# connection is then discarded by its pool.
_TERMINATED_MID_OPERATION = "another operation"
# Errors a service may see from its database: the handler decides between 503 and a logged 500.
DATABASE_ERRORS: tuple[type[Exception], ...] = (
    SQLAlchemyError,
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    asyncpg.exceptions.InternalClientError,
    OSError,
)


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        orig = getattr(current, "orig", None)
        current = orig if isinstance(orig, BaseException) else (current.__cause__ or current.__context__)


def is_database_unavailable(exc: BaseException) -> bool:
    """True when `exc` (or what it wraps) says the database cannot be reached or refuses work for now."""
    for error in _chain(exc):
        if isinstance(error, PoolTimeout):  # every pooled connection busy for pool_timeout seconds
            return True
        if isinstance(error, DBAPIError) and error.connection_invalidated:
            return True
        if isinstance(error, PendingRollbackError) and error.code == _LOST_CONNECTION_PENDING_ROLLBACK:
            return True
        if isinstance(error, _UNAVAILABLE_DRIVER_ERRORS):
            return True
        if isinstance(error, asyncpg.InterfaceError) and "connection is closed" in str(error):
            return True
        if isinstance(error, asyncpg.exceptions.InternalClientError) and _TERMINATED_MID_OPERATION in str(error):
            return True
        sqlstate = getattr(error, "sqlstate", None)
        if isinstance(sqlstate, str) and sqlstate.startswith(_UNAVAILABLE_SQLSTATES):
            return True
        # ALLOW_CONNECTIONS false (maintenance) refuses new sessions with 55000, a class shared with other errors.
        if sqlstate == "55000" and "not currently accepting connections" in str(error):
            return True
        if isinstance(error, sqlite3.OperationalError) and "locked" in str(error):
            return True  # SQLite's single writer stayed busy past busy_timeout
    return False
