"""The databases compare text byte by byte (collation C), and a service started on one that does not says so."""

from __future__ import annotations

import asyncio
import logging
import pathlib

import asyncpg
import pytest
from sqlalchemy.ext.asyncio import create_async_engine

from services.common.db import warn_unless_bytewise_collation
from services.common.migrations import upgrade_to_head
from services.registry.app import create_app
from services.registry.settings import RegistrySettings
from tests.conftest import POSTGRES_URL, recreate_database, require_postgres

ROOT = pathlib.Path(__file__).resolve().parents[2]
WARNING = "database collation is not C"


async def locale_database(name: str) -> str:
    """A database whose default collation is one of the server's locales (not C); skips when it has none."""
    await require_postgres()
    connection = await asyncpg.connect(POSTGRES_URL)
    try:
        locale = await connection.fetchval(
            "SELECT collcollate FROM pg_collation WHERE collprovider = 'c' AND collcollate NOT IN ('C', 'POSIX') "
            "AND collencoding IN (-1, pg_char_to_encoding('UTF8')) ORDER BY collcollate LIMIT 1"
        )
        if locale is None:
            pytest.skip("this PostgreSQL server has no locale other than C")
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.execute(f"CREATE DATABASE \"{name}\" TEMPLATE template0 LC_COLLATE '{locale}'")
    finally:
        await connection.close()
    return POSTGRES_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1) + f"/{name}"


async def test_the_test_databases_compare_bytes_and_raise_no_warning(caplog: pytest.LogCaptureFixture) -> None:
    engine = create_async_engine(await recreate_database("talenta_test_common_collation"))
    try:
        with caplog.at_level(logging.WARNING, logger="talenta.db"):
            assert await warn_unless_bytewise_collation(engine) == "C"
        assert WARNING not in caplog.text
    finally:
        await engine.dispose()


async def test_a_locale_collation_is_named_in_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    engine = create_async_engine(await locale_database("talenta_test_common_collation_locale"))
    try:
        with caplog.at_level(logging.WARNING, logger="talenta.db"):
            collation = await warn_unless_bytewise_collation(engine)
        assert collation not in (None, "C", "POSIX")
        assert [r.collation for r in caplog.records if WARNING in r.getMessage()] == [collation]  # type: ignore[attr-defined]
    finally:
        await engine.dispose()


async def test_sqlite_compares_bytes_already(tmp_path: pathlib.Path, caplog: pytest.LogCaptureFixture) -> None:
    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'any.db'}")
    try:
        with caplog.at_level(logging.WARNING, logger="talenta.db"):
            assert await warn_unless_bytewise_collation(engine) is None
        assert WARNING not in caplog.text
    finally:
        await engine.dispose()


async def test_the_registry_warns_at_start_up(tmp_path: pathlib.Path) -> None:
    url = await locale_database("talenta_test_common_collation_registry")
    await asyncio.to_thread(upgrade_to_head, ROOT / "services" / "registry", url)
    settings = RegistrySettings(database_url=url, environment="test", import_dir=str(tmp_path / "uploads"))
    app = create_app(settings)  # configures the service's logging: the test listens to the logger itself
    seen: list[logging.LogRecord] = []
    listener = logging.Handler()
    listener.emit = seen.append  # type: ignore[method-assign]
    logging.getLogger("talenta.db").addHandler(listener)
    try:
        async with app.router.lifespan_context(app):
            pass
    finally:
        logging.getLogger("talenta.db").removeHandler(listener)
    assert [WARNING in r.getMessage() for r in seen] == [True]
