"""SQL of the review queue: claim (FOR UPDATE SKIP LOCKED on PostgreSQL), heartbeat, complete, fail, release.

Every change after the claim is conditional on still holding the lease (`lease_owner` = this worker and
status running), so a worker whose lease expired and was taken over can never complete or fail the job.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, case, func, or_, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from services.scoring.reviews.models import COMPLETED, FAILED, QUEUED, RUNNING, TalentReview

WORKER_ACTOR = "service:scoring"


@dataclass(frozen=True)
class ClaimedJob:
    """A review a worker holds the lease of."""

    id: str
    agency_id: str
    period: int
    policy_id: str
    policy_version: int
    attempts: int
    created_at: dt.datetime


@dataclass(frozen=True)
class Completion:
    """What a completed review records."""

    summary: dict[str, Any]
    rows_total: int
    export_seconds: float
    compute_seconds: float
    write_seconds: float


_GIVEN_BACK = case((TalentReview.attempts > 0, TalentReview.attempts - 1), else_=0)  # the attempt does not count


def _seconds(value: float) -> dt.timedelta:
    return dt.timedelta(seconds=value)


class QueueRepository:
    """The queue operations on `talent_reviews`."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def _owned(self, review_id: str, worker: str) -> Any:
        return and_(TalentReview.id == review_id, TalentReview.lease_owner == worker, TalentReview.status == RUNNING)

    async def _rows(self, statement: Any) -> int:
        result: CursorResult[Any] = await self.session.execute(statement)  # type: ignore[assignment]
        return int(result.rowcount)

    async def fail_abandoned(self, now: dt.datetime, max_attempts: int) -> int:
        """Mark failed the running reviews whose lease expired after their last allowed attempt."""
        statement = (
            update(TalentReview)
            .where(
                TalentReview.status == RUNNING,
                TalentReview.lease_expires_at < now,
                TalentReview.attempts >= max_attempts,
            )
            .values(
                status=FAILED,
                progress=0.0,
                lease_owner=None,
                lease_expires_at=None,
                error_code="worker_lost",
                error_detail=f"The worker running it stopped answering, {max_attempts} times.",
                version=TalentReview.version + 1,
                updated_at=now,
                updated_by=WORKER_ACTOR,
            )
        )
        return await self._rows(statement)

    async def claim(self, worker: str, now: dt.datetime, lease_seconds: float) -> ClaimedJob | None:
        """Take the oldest available review (queued, or running with an expired lease); None when there is none."""
        candidate = (
            select(TalentReview.id)
            .where(
                or_(
                    and_(TalentReview.status == QUEUED, TalentReview.available_at <= now),
                    and_(TalentReview.status == RUNNING, TalentReview.lease_expires_at < now),
                )
            )
            .order_by(TalentReview.available_at, TalentReview.id)
            .limit(1)
            .with_for_update(skip_locked=True)
            .scalar_subquery()
        )
        statement = (
            update(TalentReview)
            .where(TalentReview.id == candidate)
            .values(
                status=RUNNING,
                progress=0.0,
                lease_owner=worker,
                lease_expires_at=now + _seconds(lease_seconds),
                attempts=TalentReview.attempts + 1,
                started_at=func.coalesce(TalentReview.started_at, now),
                version=TalentReview.version + 1,
                updated_at=now,
                updated_by=WORKER_ACTOR,
            )
            .returning(
                TalentReview.id,
                TalentReview.agency_id,
                TalentReview.period,
                TalentReview.policy_id,
                TalentReview.policy_version,
                TalentReview.attempts,
                TalentReview.created_at,
            )
            .execution_options(synchronize_session=False)
        )
        row = (await self.session.execute(statement)).first()
        return None if row is None else ClaimedJob(*row)

    async def renew(self, review_id: str, worker: str, now: dt.datetime, lease_seconds: float, progress: float) -> bool:
        """Extend the lease (and record progress); False when the lease was lost."""
        statement = (
            update(TalentReview)
            .where(self._owned(review_id, worker))
            .values(
                lease_expires_at=now + _seconds(lease_seconds),
                progress=progress,
                version=TalentReview.version + 1,
                updated_at=now,
            )
            .execution_options(synchronize_session=False)
        )
        return await self._rows(statement) == 1

    async def complete(self, review_id: str, worker: str, now: dt.datetime, done: Completion) -> bool:
        """Mark the review completed (same transaction as its placements); False when the lease was lost."""
        statement = (
            update(TalentReview)
            .where(self._owned(review_id, worker))
            .values(
                status=COMPLETED,
                progress=1.0,
                summary=done.summary,
                rows_total=done.rows_total,
                completed_at=now,
                processed_by=worker,
                lease_owner=None,
                lease_expires_at=None,
                error_code=None,
                error_detail=None,
                export_seconds=done.export_seconds,
                compute_seconds=done.compute_seconds,
                write_seconds=done.write_seconds,
                version=TalentReview.version + 1,
                updated_at=now,
                updated_by=WORKER_ACTOR,
            )
            .execution_options(synchronize_session=False)
        )
        return await self._rows(statement) == 1

    async def fail(
        self,
        review_id: str,
        worker: str,
        now: dt.datetime,
        code: str,
        detail: str,
        *,
        retry_after: float | None,
        counted: bool = True,
    ) -> str | None:
        """Record a failed attempt: queued again after `retry_after` seconds, or failed for good when None.

        An attempt not `counted` (the registry was away) is given back, as a released one is."""
        status = FAILED if retry_after is None else QUEUED
        statement = (
            update(TalentReview)
            .where(self._owned(review_id, worker))
            .values(
                status=status,
                progress=0.0,
                lease_owner=None,
                lease_expires_at=None,
                available_at=now + _seconds(retry_after or 0.0),
                attempts=TalentReview.attempts if counted else _GIVEN_BACK,
                error_code=code,
                error_detail=detail[:2000],
                version=TalentReview.version + 1,
                updated_at=now,
                updated_by=WORKER_ACTOR,
            )
            .execution_options(synchronize_session=False)
        )
        return status if await self._rows(statement) == 1 else None

    async def release(self, review_id: str, worker: str, now: dt.datetime) -> bool:
        """Give a review back to the queue untouched (shutdown): the attempt does not count."""
        statement = (
            update(TalentReview)
            .where(self._owned(review_id, worker))
            .values(
                status=QUEUED,
                progress=0.0,
                lease_owner=None,
                lease_expires_at=None,
                available_at=now,
                attempts=_GIVEN_BACK,
                version=TalentReview.version + 1,
                updated_at=now,
                updated_by=WORKER_ACTOR,
            )
            .execution_options(synchronize_session=False)
        )
        return await self._rows(statement) == 1

    async def completed_by(self, review_id: str, worker: str) -> bool:
        """True when `worker` completed the review (its lease ended by finishing, not by being lost)."""
        query = select(TalentReview.id).where(
            TalentReview.id == review_id, TalentReview.status == COMPLETED, TalentReview.processed_by == worker
        )
        return (await self.session.execute(query)).first() is not None

    async def held_by(self, worker: str) -> list[str]:
        """The running reviews a worker holds the lease of."""
        query = select(TalentReview.id).where(TalentReview.lease_owner == worker, TalentReview.status == RUNNING)
        return [str(review_id) for review_id in (await self.session.execute(query)).scalars()]

    async def counts_by_status(self) -> dict[str, int]:
        """How many reviews are in each status."""
        query = select(TalentReview.status, func.count()).group_by(TalentReview.status)
        return {str(status): int(count) for status, count in (await self.session.execute(query)).all()}
