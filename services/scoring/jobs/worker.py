"""A review worker: claims jobs from the queue, renews its lease while one runs, records how it ended.

Several workers (in API processes or `python -m services.scoring.worker` processes) share one queue. On
shutdown a worker stops claiming, lets its current review finish within the grace period, else releases it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
import uuid

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.common.db import utcnow
from services.common.errors import AppError, GatewayTimeout, ServiceUnavailable
from services.scoring.jobs.compute import BadExport
from services.scoring.jobs.repository import ClaimedJob, QueueRepository
from services.scoring.jobs.runner import JobContext, LeaseLost, run_review
from services.scoring.metrics import ScoringMetrics
from services.scoring.registry import Registry
from services.scoring.settings import ScoringSettings

logger = logging.getLogger("talenta.scoring.worker")
RETRYABLE = (ServiceUnavailable, GatewayTimeout)
# The registry did not serve the export at all (refused, 503, timed out): an outage to wait out, not a bad review.
# An export that broke off midway is not among them: it spends attempts, as a review that breaks it each time must.
AWAY = frozenset({"upstream_unavailable", "upstream_timeout"})
COUNT_EVERY_SECONDS = 5.0  # how often the reviews-by-status gauges are refreshed


def worker_name() -> str:
    """A name unique to this worker: host, process and a random part."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class ReviewWorker:
    """One worker loop; `start()` it in a lifespan, `shutdown()` it on the way out."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        registry: Registry,
        settings: ScoringSettings,
        metrics: ScoringMetrics | None = None,
        name: str | None = None,
    ) -> None:
        self.context = JobContext(sessionmaker, registry, settings, name or worker_name())
        self.settings = settings
        self.metrics = metrics
        self.completed: list[str] = []  # reviews this worker completed (for operators' logs and tests)
        self._wake = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None
        self._current: asyncio.Task[object] | None = None
        self._progress = 0.0
        self._beat = asyncio.Event()
        self._next_count = 0.0

    @property
    def name(self) -> str:
        """The lease owner name of this worker."""
        return self.context.worker

    def wake(self) -> None:
        """Look at the queue now (a review was just queued in this process)."""
        self._wake.set()

    def start(self) -> None:
        """Run the loop in the background."""
        self._task = asyncio.create_task(self.run(), name=f"review-worker {self.name}")

    async def run(self) -> None:
        """Claim and run reviews until stopped."""
        while not self._stopping:
            try:
                job = await self._claim()
            except Exception:
                logger.exception("could not claim a review")
                job = None
            if job is None:
                await self._idle()
                continue
            await self._process(job)

    async def run_once(self) -> bool:
        """Claim and run at most one review (tests, one-shot tools); True when one was run."""
        job = await self._claim()
        if job is None:
            return False
        await self._process(job)
        return True

    async def _idle(self) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), self.settings.worker_poll_seconds)
        self._wake.clear()

    async def _claim(self) -> ClaimedJob | None:
        async with self.context.sessionmaker() as session, session.begin():
            queue = QueueRepository(session)
            now = utcnow()
            await queue.fail_abandoned(now, self.settings.max_attempts)
            job = await queue.claim(self.name, now, self.settings.lease_seconds)
            if self.metrics is not None and time.monotonic() >= self._next_count:
                self._next_count = time.monotonic() + COUNT_EVERY_SECONDS
                self.metrics.observe_counts(await queue.counts_by_status())
        return job

    async def _report(self, progress: float) -> None:
        self._progress = progress
        self._beat.set()

    async def _process(self, job: ClaimedJob) -> None:
        self._progress = 0.0
        work = asyncio.create_task(run_review(self.context, job, self._report))
        self._current = work
        heartbeat = asyncio.create_task(self._heartbeat(job, work))
        try:
            done = await work
        except LeaseLost:
            self._count("lease_lost")
            logger.warning("lease lost; another worker has the review", extra={"review_id": job.id})
        except asyncio.CancelledError:
            if not heartbeat.done() or self._stopping:
                raise  # shutdown (the caller releases the lease) or the whole worker is cancelled
            self._count("lease_lost")
            logger.warning("lease lost while running; stopped", extra={"review_id": job.id})
        except Exception as exc:
            try:
                await self._failed(job, exc)
            except Exception:  # the database is away too: the lease expires and the job is retried
                logger.exception("could not record a failed review", extra={"review_id": job.id})
        else:
            self.completed.append(job.id)
            self._count("completed")
            if self.metrics is not None:
                self.metrics.observe_job(done.export_seconds, done.compute_seconds, done.write_seconds)
        finally:
            heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await heartbeat
            self._current = None

    async def _heartbeat(self, job: ClaimedJob, work: asyncio.Task[object]) -> None:
        """Renew the lease every heartbeat (and at once on progress); cancel the work when it is lost."""
        while not work.done():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._beat.wait(), self.settings.heartbeat_seconds)
            self._beat.clear()
            try:
                async with self.context.sessionmaker() as session, session.begin():
                    queue = QueueRepository(session)
                    held = await queue.renew(job.id, self.name, utcnow(), self.settings.lease_seconds, self._progress)
                    # The work's own last transaction completes the review and ends the lease: a beat landing
                    # just after that commit must not cancel the work before it reports the review completed.
                    finished = not held and await queue.completed_by(job.id, self.name)
            except Exception:
                logger.exception("heartbeat failed", extra={"review_id": job.id})
                continue  # the lease may still be ours; the next beat tries again
            if not held:
                if not finished:
                    work.cancel()
                return

    async def _failed(self, job: ClaimedJob, exc: Exception) -> None:
        permanent = isinstance(exc, BadExport) or (isinstance(exc, AppError) and not isinstance(exc, RETRYABLE))
        code = (
            "bad_export"
            if isinstance(exc, BadExport)
            else exc.instance_code
            if isinstance(exc, AppError)
            else "internal_error"
        )
        if not isinstance(exc, AppError | BadExport):
            logger.exception("review failed", extra={"review_id": job.id}, exc_info=exc)
        waits = not permanent and code in AWAY and self._patient(job)
        last = not waits and (permanent or job.attempts >= self.settings.max_attempts)
        retry_after = None if last else self.settings.retry_backoff_seconds * max(job.attempts, 1)
        async with self.context.sessionmaker() as session, session.begin():
            status = await QueueRepository(session).fail(
                job.id,
                self.name,
                utcnow(),
                code,
                str(exc) or type(exc).__name__,
                retry_after=retry_after,
                counted=not waits,
            )
        self._count("failed" if last else "retried")
        logger.warning(
            "review attempt failed",
            extra={"review_id": job.id, "code": code, "attempt": job.attempts, "status": status},
        )

    def _patient(self, job: ClaimedJob) -> bool:
        """Whether the review is young enough to wait for the registry rather than spend an attempt."""
        waited = (utcnow() - job.created_at).total_seconds()
        return waited < self.settings.unavailable_patience_seconds

    def _count(self, outcome: str) -> None:
        if self.metrics is not None:
            self.metrics.jobs.labels(outcome).inc()

    async def shutdown(self, grace_seconds: float) -> None:
        """Stop claiming; let the current review finish within `grace_seconds`, else release its lease."""
        self._stopping = True
        self._wake.set()
        current = self._current
        if current is not None and not current.done():
            await asyncio.wait({current}, timeout=grace_seconds)
        if self._task is None:
            return
        if current is not None and not current.done():
            self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        if current is not None and current.cancelled():
            await self._release_current()

    async def _release_current(self) -> None:
        released = []
        async with self.context.sessionmaker() as session, session.begin():
            queue = QueueRepository(session)
            for review_id in await queue.held_by(self.name):
                if await queue.release(review_id, self.name, utcnow()):
                    released.append(review_id)
        for review_id in released:
            self._count("released")
            logger.info("review released on shutdown", extra={"review_id": review_id})
