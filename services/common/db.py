"""Database plumbing shared by the services: engines for asyncpg and aiosqlite, sessions, column types."""

from __future__ import annotations

import datetime as dt
import logging
import pathlib
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import DateTime, MetaData, event, text
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from services.common.settings import ServiceSettings

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
logger = logging.getLogger("talenta.db")


def make_metadata() -> MetaData:
    """A MetaData with the naming convention every service's migrations rely on."""
    return MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> dt.datetime:
    """The current time, timezone-aware in UTC."""
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timestamp stored in UTC and always read back timezone-aware, on PostgreSQL and SQLite alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC timestamp column")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class AuditColumns:
    """Who created and last changed a row, when, and its version (the ETag source)."""

    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by: Mapped[str] = mapped_column(default="system")
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    updated_by: Mapped[str] = mapped_column(default="system")
    version: Mapped[int] = mapped_column(default=1)


def is_sqlite_url(url: str) -> bool:
    """True for the embedded SQLite backend."""
    return make_url(url).get_backend_name() == "sqlite"


def create_database_engine(settings: ServiceSettings, **overrides: Any) -> AsyncEngine:
    """An async engine for the service's database: asyncpg pooled, or SQLite with WAL and foreign keys."""
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            pathlib.Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, connect_args={"timeout": 30}, **overrides)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        # pysqlite's own transaction handling breaks SAVEPOINT; let SQLAlchemy emit BEGIN itself
        # (the recipe of SQLAlchemy's SQLite dialect documentation).
        event.listen(engine.sync_engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN"))
        return engine
    engine = create_async_engine(
        url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout_seconds,
        pool_pre_ping=settings.db_pool_pre_ping,
        pool_recycle=settings.db_pool_recycle_seconds,
        connect_args={
            "statement_cache_size": settings.db_statement_cache_size,
            "server_settings": {"application_name": settings.service_name, "timezone": "UTC"},
        },
        **overrides,
    )
    if not settings.db_pool_pre_ping:
        event.listen(engine.sync_engine.pool, "checkout", _refuse_closed_connection)
    return engine


def _refuse_closed_connection(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    # asyncpg notices a connection the server closed (restart, failover) without a round trip; raising
    # DisconnectionError makes the pool discard it and hand out a fresh one instead.
    driver = getattr(dbapi_connection, "driver_connection", None)
    if driver is not None and driver.is_closed():
        raise DisconnectionError("connection closed by the server")


def _sqlite_pragmas(dbapi_connection: Any, _: Any) -> None:
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    for pragma in ("journal_mode=WAL", "foreign_keys=ON", "synchronous=NORMAL", "busy_timeout=30000"):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded objects usable after commit (responses are built after it)."""
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One session and one transaction per request, committed before the response is sent."""
    maker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    async with maker() as session:
        try:
            yield session
        except BaseException:
            await session.rollback()
            raise
        else:
            await session.commit()


# scope="function": the commit runs when the route returns, before the response goes out, so a
# client never sees a 2xx for a write that then failed to commit.
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]


async def check_database(engine: AsyncEngine) -> None:
    """Raise unless the database answers a trivial query (used by /readyz)."""
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))


async def warn_unless_bytewise_collation(engine: AsyncEngine) -> str | None:
    """PostgreSQL: log a warning unless the database compares text byte by byte (collation C); answer the
    database's collation (None on SQLite, which always does).

    Every key here is a code (NIP, ids, rank and unit codes), and any other collation makes each comparison of one
    go through the locale: a bulk write's index entries and sorts cost ~8% more (docs/PRODUCTION.md). C also
    orders text as SQLite does, so lists come back in the same order on both."""
    if not is_postgres(engine):
        return None
    async with engine.connect() as connection:
        query = text("SELECT datcollate FROM pg_database WHERE datname = current_database()")
        collation = str((await connection.execute(query)).scalar_one())
    if collation not in ("C", "POSIX"):
        logger.warning(
            "database collation is not C: keys compare through the locale, bulk writes are slower; create the "
            "database with TEMPLATE template0 LC_COLLATE 'C' (docs/PRODUCTION.md)",
            extra={"collation": collation},
        )
    return collation


def is_postgres(session_or_engine: AsyncSession | AsyncEngine) -> bool:
    """True when bound to PostgreSQL (set-based COPY paths), False on SQLite (batched fallbacks)."""
    bind = session_or_engine.bind if isinstance(session_or_engine, AsyncSession) else session_or_engine
    return bind is not None and bind.dialect.name == "postgresql"
