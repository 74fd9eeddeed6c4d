"""Serving a stand-in on a real port inside the test's event loop (for timeouts, which ASGITransport ignores)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import uvicorn

from tests.siasn_standin.app import Standin


@asynccontextmanager
async def served(standin: Standin) -> AsyncIterator[str]:
    """The stand-in on 127.0.0.1 at a free port; yields its base URL (http://127.0.0.1:PORT)."""
    config = uvicorn.Config(
        standin.app(), host="127.0.0.1", port=0, log_level="warning", access_log=False, lifespan="off"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            await task
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
