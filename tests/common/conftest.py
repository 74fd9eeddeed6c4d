"""Fixtures of the common tests: an outbox table alone, on PostgreSQL and on SQLite."""

from __future__ import annotations

import pathlib
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from services.common.outbox import outbox_table
from tests.conftest import recreate_database

OUTBOX_METADATA = MetaData()
OUTBOX = outbox_table(OUTBOX_METADATA)


@pytest.fixture(params=["postgresql", "sqlite"])
async def outbox_engine(request: pytest.FixtureRequest, tmp_path: pathlib.Path) -> AsyncIterator[AsyncEngine]:
    """A database holding an empty `OUTBOX`: PostgreSQL (a database per test module) and SQLite."""
    if request.param == "postgresql":
        module = request.module.__name__.rsplit(".", 1)[-1]
        url = await recreate_database("talenta_test_" + module.removeprefix("test_"))
    else:
        url = f"sqlite+aiosqlite:///{tmp_path / 'outbox.db'}"
    engine = create_async_engine(url)
    async with engine.begin() as connection:
        await connection.run_sync(OUTBOX_METADATA.create_all)
    yield engine
    await engine.dispose()
