"""The in-process sync runner: jobs as asyncio tasks, one SIASN client per agency, orphaned jobs failed.

Each agency's client (its tokens and its concurrency limit) is shared by every job of that agency in this
process, so two syncs of one agency together still keep to `siasn_concurrency` calls in flight."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.common.db import utcnow
from services.registry.imports.runner import is_orphaned, owner_id
from services.registry.settings import RegistrySettings
from services.registry.siasn.client import ClientConfig, SiasnClient
from services.registry.siasn.credentials import decrypt
from services.registry.siasn.job import SyncFailed
from services.registry.siasn.repository import SiasnRepository
from services.registry.siasn.service import DIED, execute_sync

logger = logging.getLogger("talenta.registry.siasn")


def http_client(settings: RegistrySettings) -> httpx.AsyncClient:
    """The HTTP pool for BKN's hosts, with the configured timeouts."""
    timeout = httpx.Timeout(settings.siasn_read_timeout_seconds, connect=settings.siasn_connect_timeout_seconds)
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    return httpx.AsyncClient(timeout=timeout, limits=limits, follow_redirects=False)


class SyncRunner:
    """Runs this process's sync jobs; `state.sessionmaker` and `state.siasn_http` are read when a job starts."""

    def __init__(self, state: Any, settings: RegistrySettings, concurrency: int | None = None) -> None:
        self.state = state
        self.settings = settings
        self.concurrency = concurrency  # overrides siasn_concurrency (benchmarks)
        self.owner = owner_id()
        self.tasks: dict[str, asyncio.Task[None]] = {}
        self.live: dict[str, float] = {}
        self.slots = asyncio.Semaphore(settings.siasn_job_concurrency)
        self.clients: dict[str, tuple[int, SiasnClient]] = {}

    @property
    def maker(self) -> async_sessionmaker[AsyncSession]:
        """The app's sessions."""
        maker: async_sessionmaker[AsyncSession] = self.state.sessionmaker
        return maker

    def http(self) -> httpx.AsyncClient:
        """The app's HTTP pool for BKN (made on first use when no lifespan made it)."""
        client: httpx.AsyncClient | None = getattr(self.state, "siasn_http", None)
        if client is None:
            client = self.state.siasn_http = http_client(self.settings)
        return client

    async def client_for(self, agency_id: str) -> tuple[SiasnClient, str]:
        """The agency's SIASN client (reused while its credentials are unchanged) and its instansi id."""
        async with self.maker() as session:
            row = await SiasnRepository(session).credentials(agency_id)
        if row is None:
            raise SyncFailed("This agency has no SIASN credentials; PUT /v1/agencies/{id}/siasn-credentials first.")
        if not row.instansi_id:
            raise SyncFailed("The agency's SIASN credentials name no instansi_id.")
        cached = self.clients.get(agency_id)
        if cached is None or cached[0] != row.version:
            config = ClientConfig.of(self.settings, self.concurrency)
            cached = self.clients[agency_id] = (
                row.version,
                SiasnClient(self.http(), config, decrypt(self.settings, row)),
            )
        return cached[1], row.instansi_id

    async def start(self) -> None:
        """Fail the jobs a dead process left behind."""
        await self.sweep()

    async def stop(self) -> None:
        """Cancel the running jobs (each is recorded as failed; what it committed stays)."""
        tasks = list(self.tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def submit(self, sync_id: str) -> None:
        """Start a queued job (after the transaction recording it committed)."""
        task = asyncio.create_task(self._run(sync_id), name=f"siasn-sync-{sync_id}")
        self.tasks[sync_id] = task
        task.add_done_callback(lambda _: (self.tasks.pop(sync_id, None), self.live.pop(sync_id, None)))

    async def launch(self, sync_id: str) -> None:
        """`submit`, as an awaitable background task of a response."""
        self.submit(sync_id)

    def progress_of(self, sync_id: str) -> float | None:
        """The live progress of a job of this process."""
        return self.live.get(sync_id)

    async def wait(self, sync_id: str) -> None:
        """Until a job of this process ends (tests and the CLI)."""
        task = self.tasks.get(sync_id)
        if task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.shield(task)

    async def _run(self, sync_id: str) -> None:
        async with self.slots:
            self.live[sync_id] = 0.0

            async def progress(value: float) -> None:
                self.live[sync_id] = value

            try:
                await execute_sync(self.maker, self.settings, sync_id, self.client_for, progress)
            except Exception:
                logger.exception("siasn runner failed", extra={"sync_id": sync_id})

    async def sweep(self) -> None:
        """Mark failed the queued or running jobs whose process is gone (never this process's own)."""
        async with self.maker() as session:
            repository = SiasnRepository(session)
            stale = self.settings.import_stale_seconds
            orphans = [
                job_id
                for job_id, owner, heartbeat in await repository.active()
                if job_id not in self.tasks and is_orphaned(owner, heartbeat or utcnow(), self.owner, stale)
            ]
            await repository.fail(orphans, DIED)
            await session.commit()
