"""One review job: export (the registry's stream) -> compute (the engine, in a thread) -> write (one transaction).

The placements and the `completed` status are committed together, and only while the worker still holds
the lease, so a review is never visible as completed with part of its placements, nor completed twice.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.common.db import utcnow
from services.scoring import engine
from services.scoring.events import service as events
from services.scoring.jobs.compute import prepare_review
from services.scoring.jobs.repository import ClaimedJob, Completion, QueueRepository
from services.scoring.placements.repository import PlacementRepository
from services.scoring.policies.repository import PolicyRepository
from services.scoring.policies.service import engine_policy
from services.scoring.registry import ExportRequest, Registry
from services.scoring.reviews.summary import review_summary
from services.scoring.settings import ScoringSettings

logger = logging.getLogger("talenta.scoring.jobs")
Progress = Callable[[float], Awaitable[None]]


class LeaseLost(Exception):
    """Another worker took the review over (this one was too slow to renew its lease)."""


@dataclass(frozen=True)
class JobContext:
    """What a job needs: its own sessions, the registry, the settings and the worker's name."""

    sessionmaker: async_sessionmaker[AsyncSession]
    registry: Registry
    settings: ScoringSettings
    worker: str


async def _policy(ctx: JobContext, job: ClaimedJob) -> engine.Policy:
    async with ctx.sessionmaker() as session:
        row = await PolicyRepository(session).get(job.policy_id, job.policy_version)
    if row is None:
        raise LookupError(f"policy {job.policy_id}@{job.policy_version} is not stored")
    return engine_policy(row)


async def run_review(ctx: JobContext, job: ClaimedJob, progress: Progress) -> Completion:
    """Run one claimed review to completion; raises on failure (nothing is written then)."""
    policy = await _policy(ctx, job)
    request = ExportRequest.for_policy(engine.export_parameters(policy), period=job.period, agency_id=job.agency_id)
    started = time.perf_counter()
    data = await ctx.registry.export(request)
    exported = time.perf_counter()
    await progress(0.5)
    prepared = await asyncio.to_thread(prepare_review, data, job.id, policy, job.period)
    del data
    computed = time.perf_counter()
    await progress(0.8)
    summary = review_summary(prepared.box_counts, prepared.incomplete, 0, policy.talent_pool_boxes)
    async with ctx.sessionmaker() as session, session.begin():
        queue = QueueRepository(session)
        # Take the row lock first, proving the lease is still ours; the placements then commit with the status.
        if not await queue.renew(job.id, ctx.worker, utcnow(), ctx.settings.lease_seconds, 0.9):
            raise LeaseLost(job.id)
        await PlacementRepository(session).write_bulk(prepared.table, ctx.settings.sqlite_batch_rows)
        done = Completion(
            summary=summary,
            rows_total=prepared.rows,
            export_seconds=exported - started,
            compute_seconds=computed - exported,
            write_seconds=time.perf_counter() - computed,
        )
        if not await queue.complete(job.id, ctx.worker, utcnow(), done):
            raise LeaseLost(job.id)
        await events.review_completed(session, job.id, job.agency_id, job.period)
    logger.info(
        "review completed",
        extra={
            "review_id": job.id,
            "rows": prepared.rows,
            "export_s": round(done.export_seconds, 3),
            "parse_s": round(prepared.parse_seconds, 3),
            "place_s": round(prepared.place_seconds, 3),
            "compute_s": round(done.compute_seconds, 3),
            "write_s": round(done.write_seconds, 3),
        },
    )
    return done
