"""Alembic glue shared by the services' async `env.py` files, and a programmatic upgrade."""

from __future__ import annotations

import asyncio
import pathlib
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import MetaData, pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine


def run_env(context: Any, metadata: MetaData, database_url: str) -> None:
    """Body of a service's `env.py`: offline SQL or online async migrations against `database_url`."""
    url = context.config.attributes.get("database_url") or database_url
    batch = url.startswith("sqlite")  # SQLite alters tables by copy-and-move ("batch mode")
    if context.is_offline_mode():
        context.configure(
            url=url, target_metadata=metadata, literal_binds=True, render_as_batch=batch, compare_type=True
        )
        with context.begin_transaction():
            context.run_migrations()
        return

    def do_run(connection: Connection) -> None:
        context.configure(connection=connection, target_metadata=metadata, render_as_batch=batch, compare_type=True)
        with context.begin_transaction():
            context.run_migrations()

    async def run_async() -> None:
        engine = create_async_engine(url, poolclass=pool.NullPool)
        async with engine.connect() as connection:
            await connection.run_sync(do_run)
        await engine.dispose()

    connection = context.config.attributes.get("connection")
    if connection is not None:
        do_run(connection)
    else:
        asyncio.run(run_async())


def alembic_config(service_dir: pathlib.Path, database_url: str) -> Config:
    """The Alembic config of the service whose package folder is `service_dir`."""
    config = Config(str(service_dir / "alembic.ini"))
    config.set_main_option("script_location", str(service_dir / "migrations"))
    config.attributes["database_url"] = database_url
    return config


def upgrade_to_head(service_dir: pathlib.Path, database_url: str) -> None:
    """Apply every migration of a service (blocking; call from a thread inside an event loop)."""
    command.upgrade(alembic_config(service_dir, database_url), "head")
