"""SQL of talent reviews as resources (the job queue's SQL is in services.scoring.jobs.repository)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.scoring.reviews.models import COMPLETED, TalentReview


class ReviewRepository:
    """Reviews: add, read, list, and the latest completed or finalized ones."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, review: TalentReview) -> TalentReview:
        """Insert a new review."""
        self.session.add(review)
        await self.session.flush()
        return review

    async def get(self, review_id: str, *, for_update: bool = False) -> TalentReview | None:
        """One review (locked for the transaction with `for_update`), read fresh from the database."""
        query = select(TalentReview).where(TalentReview.id == review_id).execution_options(populate_existing=True)
        if for_update:
            query = query.with_for_update()
        return (await self.session.execute(query)).scalar_one_or_none()

    async def list(
        self, *, agency_id: str | None, status: str | None, before: str | None, limit: int
    ) -> Sequence[TalentReview]:
        """Reviews newest first (ids are time-ordered), optionally of one agency and status."""
        query = select(TalentReview)
        if agency_id is not None:
            query = query.where(TalentReview.agency_id == agency_id)
        if status is not None:
            query = query.where(TalentReview.status == status)
        if before is not None:
            query = query.where(TalentReview.id < before)
        query = query.order_by(TalentReview.id.desc()).limit(limit)
        return (await self.session.execute(query)).scalars().all()

    async def latest_completed(self, agency_id: str) -> TalentReview | None:
        """The agency's most recently completed review ("latest" in API.md)."""
        query = (
            select(TalentReview)
            .where(TalentReview.agency_id == agency_id, TalentReview.status == COMPLETED)
            .order_by(TalentReview.completed_at.desc(), TalentReview.id.desc())
            .limit(1)
        )
        return (await self.session.execute(query)).scalar_one_or_none()

    async def latest_finalized_per_agency(self) -> Sequence[TalentReview]:
        """Each agency's most recently finalized review (national succession draws from these)."""
        latest = (
            select(TalentReview.agency_id, func.max(TalentReview.finalized_at).label("at"))
            .where(TalentReview.finalized_at.is_not(None))
            .group_by(TalentReview.agency_id)
            .subquery()
        )
        query = (
            select(TalentReview)
            .join(latest, (TalentReview.agency_id == latest.c.agency_id) & (TalentReview.finalized_at == latest.c.at))
            .order_by(TalentReview.agency_id)
        )
        return (await self.session.execute(query)).scalars().all()
