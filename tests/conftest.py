"""Shared test fixtures: where PostgreSQL is, and fresh databases built by each service's migrations."""

from __future__ import annotations

import os

import asyncpg
import pytest

POSTGRES_URL = os.environ.get("TALENTA_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REQUIRE_POSTGRES = os.environ.get("TALENTA_REQUIRE_POSTGRES") == "1"
_available: bool | None = None


async def _probe() -> bool:
    try:
        connection = await asyncpg.connect(POSTGRES_URL, timeout=3)
    except (TimeoutError, OSError, asyncpg.PostgresError):
        return False
    await connection.close()
    return True


async def postgres_available() -> bool:
    """Whether the test PostgreSQL answers (checked once per run)."""
    global _available
    if _available is None:
        _available = await _probe()
    return _available


async def require_postgres() -> None:
    """Skip (listing the reason) when PostgreSQL is unreachable; fail instead when CI demands it."""
    if await postgres_available():
        return
    message = f"PostgreSQL unreachable at {POSTGRES_URL}: database tests not run"
    if REQUIRE_POSTGRES:
        pytest.fail(message + " (TALENTA_REQUIRE_POSTGRES=1)")
    pytest.skip(message)


async def recreate_database(name: str) -> str:
    """Drop and create database `name`; answer its SQLAlchemy asyncpg URL."""
    await require_postgres()
    connection = await asyncpg.connect(POSTGRES_URL)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        # As deploy/postgres/init-databases.sh creates the services' databases: text compares byte by byte.
        await connection.execute(f"CREATE DATABASE \"{name}\" TEMPLATE template0 LC_COLLATE 'C'")
    finally:
        await connection.close()
    base = POSTGRES_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1)
    return f"{base}/{name}"
