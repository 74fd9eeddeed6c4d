"""Without pre-ping, a pooled connection the server closed is still never handed out (PostgreSQL)."""

from __future__ import annotations

import asyncio

from sqlalchemy import text

from services.common.db import create_database_engine
from services.common.settings import ServiceSettings
from tests.conftest import recreate_database


async def test_closed_connection_is_replaced_at_checkout_without_a_ping() -> None:
    url = await recreate_database("talenta_test_common_checkout")
    settings = ServiceSettings(database_url=url, db_pool_pre_ping=False, db_pool_size=1, db_max_overflow=0)
    engine = create_database_engine(settings)
    try:
        async with engine.connect() as connection:
            victim = (await connection.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        async with engine.connect() as other:
            await other.execute(text("SELECT 1"))  # the same pooled connection again (pool of one)
            assert (await other.execute(text("SELECT pg_backend_pid()"))).scalar_one() == victim
        admin = create_database_engine(ServiceSettings(database_url=url))
        async with admin.connect() as connection:
            await connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": victim})
        await admin.dispose()
        await asyncio.sleep(0.2)  # the driver reads the server's goodbye
        async with engine.connect() as connection:
            pid = (await connection.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        assert pid != victim
    finally:
        await engine.dispose()
