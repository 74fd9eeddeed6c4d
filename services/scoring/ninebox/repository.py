"""SQL of the national 9-box: the reviews of a period it counts, and those still awaiting their decree."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.scoring.placements.models import Calibration, Placement
from services.scoring.reviews.models import COMPLETED, TalentReview


class NineBoxRepository:
    """Reviews of one period, per agency."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def latest_finalized(self, period: int, agency_id: str | None) -> Sequence[TalentReview]:
        """Each agency's most recently finalized review of `period` (of one agency when given)."""
        latest = select(TalentReview.agency_id, func.max(TalentReview.finalized_at).label("at")).where(
            TalentReview.period == period, TalentReview.finalized_at.is_not(None)
        )
        if agency_id is not None:
            latest = latest.where(TalentReview.agency_id == agency_id)
        chosen = latest.group_by(TalentReview.agency_id).subquery()
        query = (
            select(TalentReview)
            .join(chosen, (TalentReview.agency_id == chosen.c.agency_id) & (TalentReview.finalized_at == chosen.c.at))
            .where(TalentReview.period == period)
            .order_by(TalentReview.agency_id)
        )
        return (await self.session.execute(query)).scalars().all()

    async def awaiting_decree(self, period: int, agency_id: str | None) -> Sequence[TalentReview]:
        """Each agency's latest completed review of `period` when that agency has none finalized for it."""
        finalized = select(TalentReview.agency_id).where(
            TalentReview.period == period, TalentReview.finalized_at.is_not(None)
        )
        latest = select(TalentReview.agency_id, func.max(TalentReview.completed_at).label("at")).where(
            TalentReview.period == period,
            TalentReview.status == COMPLETED,
            TalentReview.agency_id.not_in(finalized),
        )
        if agency_id is not None:
            latest = latest.where(TalentReview.agency_id == agency_id)
        chosen = latest.group_by(TalentReview.agency_id).subquery()
        query = (
            select(TalentReview)
            .join(chosen, (TalentReview.agency_id == chosen.c.agency_id) & (TalentReview.completed_at == chosen.c.at))
            .where(TalentReview.period == period, TalentReview.status == COMPLETED)
            .order_by(TalentReview.agency_id)
        )
        return (await self.session.execute(query)).scalars().all()

    async def calibrated_by_box(self, review_ids: Sequence[str]) -> dict[int, int]:
        """Placements of the reviews that a calibration put in their box, by box (found through the calibrations)."""
        if not review_ids:
            return {}
        calibrated = (
            select(Calibration.review_id, Calibration.nip)
            .where(Calibration.review_id.in_(list(review_ids)))
            .distinct()
            .subquery()
        )
        query = (
            select(Placement.effective_box, func.count())
            .join(calibrated, (Placement.review_id == calibrated.c.review_id) & (Placement.nip == calibrated.c.nip))
            .where(Placement.calibrated_box.is_not(None))
            .group_by(Placement.effective_box)
        )
        return {int(box): int(count) for box, count in (await self.session.execute(query)).all() if box is not None}
