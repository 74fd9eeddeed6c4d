"""Which database errors mean "unavailable, retry shortly": a session whose connection was lost mid-transaction
is, a session left broken by the caller's own bad write is not (that is a bug to log)."""

from __future__ import annotations

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import PendingRollbackError
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from services.common.db_errors import is_database_unavailable
from tests.conftest import POSTGRES_URL, recreate_database

DATABASE = "talenta_test_registry_db_errors"


async def test_a_session_whose_connection_was_lost_mid_transaction_is_unavailable() -> None:
    engine = create_async_engine(await recreate_database(DATABASE))
    try:
        async with AsyncSession(engine) as session:
            backend = (await session.execute(text("SELECT pg_backend_pid()"))).scalar_one()
            admin = await asyncpg.connect(POSTGRES_URL)
            try:
                await admin.execute("SELECT pg_terminate_backend($1)", backend)
            finally:
                await admin.close()
            with pytest.raises(Exception) as lost:
                await session.execute(text("SELECT 1"))
            assert is_database_unavailable(lost.value)
            # The next statement of the same session, as an import job's later batch would run it.
            with pytest.raises(PendingRollbackError) as pending:
                await session.execute(text("SELECT 1"))
            assert is_database_unavailable(pending.value)
    finally:
        await engine.dispose()


async def test_a_session_broken_by_its_own_bad_write_is_not_unavailable() -> None:
    engine = create_async_engine(await recreate_database(DATABASE))
    try:
        async with engine.begin() as connection:
            await connection.execute(text("CREATE TABLE things (id int PRIMARY KEY)"))
        async with AsyncSession(engine) as session:
            await session.execute(text("INSERT INTO things VALUES (1)"))
            with pytest.raises(Exception) as duplicate:
                await session.execute(text("INSERT INTO things VALUES (1)"))
            assert not is_database_unavailable(duplicate.value)
            with pytest.raises(Exception) as aborted:  # in a failed transaction, until rolled back
                await session.execute(text("SELECT 1"))
            assert not is_database_unavailable(aborted.value)
    finally:
        await engine.dispose()


def test_a_session_the_server_ended_mid_operation_is_unavailable() -> None:
    # What asyncpg raised for a GET of the registry's read pool when the drill terminated its backends (the drill
    # answered 500 once): the connection is gone, the request may be retried.
    ended = asyncpg.exceptions.InternalClientError("cannot switch to state 12; another operation (2) is in progress")
    assert is_database_unavailable(ended)
    assert not is_database_unavailable(asyncpg.exceptions.InternalClientError("unexpected codec state"))
