"""What the drill and the concurrency proof share: a stack of their own per module, and direct database reads."""

from __future__ import annotations

import contextlib
import os
import pathlib
from collections.abc import AsyncIterator, Iterator, Mapping
from typing import Any

import asyncpg
import pytest

from services.launcher.stack import Stack
from tests.e2e.harness import Api
from tests.proof.stack import start_stack


def proof_stack(
    tag: str,
    tmp_path_factory: pytest.TempPathFactory,
    *,
    agencies: int,
    people_per_agency: int,
    env: Mapping[str, str] | None = None,
) -> Iterator[Stack]:
    """A module fixture's body: the product on `talenta_proof_{tag}_*`, logs under TALENTA_PROOF_LOG_DIR/{tag}."""
    base = os.environ.get("TALENTA_PROOF_LOG_DIR")
    log_dir = pathlib.Path(base) / tag if base else tmp_path_factory.mktemp(f"{tag}-logs")
    running = start_stack(tag, log_dir, agencies=agencies, people_per_agency=people_per_agency, env=env)
    try:
        yield running
    finally:
        running.stop()


@contextlib.asynccontextmanager
async def signed_in(stack: Stack, *accounts: str) -> AsyncIterator[Api]:
    """The stack gateway's public API, `accounts` signed in before anything else happens."""
    client = Api(stack.url("gateway"))
    try:
        for account in accounts:
            await client.as_(account)
        yield client
    finally:
        await client.aclose()


async def query(stack: Stack, service: str, sql: str, *args: Any) -> list[asyncpg.Record]:
    """Rows straight from a service's database, not through the API under test."""
    url = stack.database_urls[service].replace("postgresql+asyncpg://", "postgresql://", 1)
    connection = await asyncpg.connect(url)
    try:
        return list(await connection.fetch(sql, *args))
    finally:
        await connection.close()
