"""SQL for performance ratings."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.db import utcnow
from services.registry.persistence import flush
from services.registry.ratings.models import PerformanceRating


class RatingRepository:
    """Reads and writes of performance_ratings; a replacement supersedes the current row."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def current(self, nip: str, year: int, *, for_update: bool = False) -> PerformanceRating | None:
        """The current (not superseded) rating of a person for a year."""
        query = select(PerformanceRating).where(
            PerformanceRating.nip == nip, PerformanceRating.year == year, PerformanceRating.superseded_at.is_(None)
        )
        if for_update:
            query = query.with_for_update()
        return (await self.session.execute(query)).scalar_one_or_none()

    async def supersede(self, rating: PerformanceRating, actor: str) -> bool:
        """Mark `rating` superseded if it is still the current version; False when another writer was first."""
        result = await self.session.execute(
            update(PerformanceRating)
            .where(
                PerformanceRating.id == rating.id,
                PerformanceRating.version == rating.version,
                PerformanceRating.superseded_at.is_(None),
            )
            .values(superseded_at=utcnow(), superseded_by=actor, updated_by=actor, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0))

    async def add(self, rating: PerformanceRating) -> PerformanceRating:
        """Insert a rating version; 409 when another current rating for the year appeared meanwhile."""
        self.session.add(rating)
        await flush(
            self.session,
            conflict_code="rating_exists",
            conflict_detail="A rating for this year was recorded meanwhile; read it and send If-Match to replace it.",
        )
        return rating

    async def list(
        self, nip: str, *, include_superseded: bool, after: tuple[int, int] | None, limit: int
    ) -> Sequence[PerformanceRating]:
        """A person's ratings by year (and version), after the (year, version) key."""
        query = (
            select(PerformanceRating)
            .where(PerformanceRating.nip == nip)
            .order_by(PerformanceRating.year, PerformanceRating.version)
            .limit(limit)
        )
        if not include_superseded:
            query = query.where(PerformanceRating.superseded_at.is_(None))
        if after is not None:
            year, version = after
            query = query.where(
                or_(
                    PerformanceRating.year > year,
                    and_(PerformanceRating.year == year, PerformanceRating.version > version),
                )
            )
        return (await self.session.execute(query)).scalars().all()
