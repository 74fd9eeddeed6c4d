"""The in-process import runner: jobs as asyncio tasks, progress and heartbeats, and failing orphaned jobs.

A job whose process died stays `running` in the table; the runner marks it failed at start-up (and later,
periodically) when its heartbeat is stale, or when its owner was a process of this host that is gone."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import os
import secrets
import socket
import time
from typing import Any

import psutil
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.common.db import utcnow
from services.registry.imports.feeder import Readers
from services.registry.imports.repository import ImportRepository
from services.registry.imports.service import DIED, execute_import
from services.registry.settings import RegistrySettings

logger = logging.getLogger("talenta.registry.imports")
PROGRESS_WRITE_SECONDS = 0.5


def owner_id() -> str:
    """This process, as written in a job's `owner`: host, pid, and a token telling restarts apart."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


def is_orphaned(owner: str | None, heartbeat: dt.datetime | None, me: str, stale_seconds: int) -> bool:
    """Whether a queued or running job's process is gone."""
    if heartbeat is None or (utcnow() - heartbeat).total_seconds() > stale_seconds:
        return True
    host, _, rest = (owner or "").partition(":")
    pid_text, _, token = rest.partition(":")
    my_host, my_pid, my_token = me.split(":")
    if host != my_host or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    return (pid == int(my_pid) and token != my_token) or (pid != int(my_pid) and not psutil.pid_exists(pid))


class ImportRunner:
    """Runs import jobs of this process; `state.sessionmaker` is read when a job starts (tests swap it)."""

    def __init__(self, state: Any, settings: RegistrySettings) -> None:
        self.state = state
        self.settings = settings
        self.owner = owner_id()
        self.tasks: dict[str, asyncio.Task[None]] = {}
        self.live: dict[str, float] = {}
        self.slots = asyncio.Semaphore(settings.import_concurrency)
        self.turn = asyncio.Lock()  # SQLite has one writer: its jobs take turns
        self.readers = Readers()  # one job reads its file at a time, paused while another checks
        self.keeper: asyncio.Task[None] | None = None

    @property
    def maker(self) -> async_sessionmaker[AsyncSession]:
        """The app's sessions."""
        maker: async_sessionmaker[AsyncSession] = self.state.sessionmaker
        return maker

    async def start(self) -> None:
        """Fail the jobs orphaned by a dead process, then keep heartbeats and that check going."""
        try:
            await self.sweep()
        except Exception:
            # The database may not answer yet: the registry still starts, and the keeper sweeps again soon.
            logger.exception("orphaned imports not swept at start-up")
        self.keeper = asyncio.create_task(self._keep(), name="imports-keeper")

    async def stop(self) -> None:
        """Stop the keeper and the running jobs (each is recorded as failed: it wrote nothing)."""
        tasks = [t for t in (self.keeper, *self.tasks.values()) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def submit(self, import_id: str) -> None:
        """Start a queued job (after the transaction recording it committed)."""
        task = asyncio.create_task(self._run(import_id), name=f"import-{import_id}")
        self.tasks[import_id] = task
        task.add_done_callback(lambda _: self._forget(import_id))

    async def launch(self, import_id: str) -> None:
        """`submit`, as an awaitable (a response's background task runs sync callables in a thread)."""
        self.submit(import_id)

    def progress_of(self, import_id: str) -> float | None:
        """The live progress of a job running in this process."""
        return self.live.get(import_id)

    async def wait(self, import_id: str) -> None:
        """Until a job of this process ends (tests and the CLI)."""
        task = self.tasks.get(import_id)
        if task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.shield(task)

    def _forget(self, import_id: str) -> None:
        self.tasks.pop(import_id, None)
        self.live.pop(import_id, None)

    async def _run(self, import_id: str) -> None:
        async with self.slots:
            self.live[import_id] = 0.0
            last = 0.0

            async def progress(value: float) -> None:
                nonlocal last
                self.live[import_id] = value
                # SQLite has one writer, the job itself: there the live value is all a reader gets.
                if self._shared_database() and time.monotonic() - last > PROGRESS_WRITE_SECONDS:
                    last = time.monotonic()
                    await self._write_progress(import_id, value)

            try:
                async with contextlib.nullcontext() if self._shared_database() else self.turn:
                    await execute_import(self.maker, self.settings, import_id, self.owner, progress, self.readers)
            except Exception:
                logger.exception("import runner failed", extra={"import_id": import_id})

    def _shared_database(self) -> bool:
        return bool(self.maker.kw["bind"].dialect.name == "postgresql")

    async def _write_progress(self, import_id: str, value: float) -> None:
        async with self.maker() as session:
            await ImportRepository(session).set(import_id, progress=round(value, 4), heartbeat_at=utcnow())
            await session.commit()

    async def sweep(self) -> None:
        """Mark failed the queued or running jobs whose process is gone (never this process's own)."""
        async with self.maker() as session:
            repository = ImportRepository(session)
            stale = self.settings.import_stale_seconds
            orphans = [
                job_id
                for job_id, owner, heartbeat in await repository.active()
                if job_id not in self.tasks and is_orphaned(owner, heartbeat, self.owner, stale)
            ]
            await repository.fail(orphans, DIED)
            await session.commit()
        if orphans:
            logger.warning("orphaned imports marked failed", extra={"count": len(orphans)})

    async def _keep(self) -> None:
        period = max(2.0, self.settings.import_stale_seconds / 4)
        while True:
            await asyncio.sleep(period)
            try:
                async with self.maker() as session:
                    await ImportRepository(session).heartbeat(list(self.tasks))
                    await session.commit()
                await self.sweep()
            except Exception:
                logger.exception("import keeper round failed")
