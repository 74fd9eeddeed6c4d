"""SQL of the talent pool: placements in the pool boxes of the chosen reviews, filtered, in the pool's order."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import and_, false, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from services.scoring.engine.codes import FUNCTIONAL_LEVELS
from services.scoring.placements.models import Placement


@dataclass(frozen=True)
class PoolSource:
    """Reviews whose policies share one set of talent-pool boxes."""

    review_ids: tuple[str, ...]
    boxes: tuple[int, ...]


@dataclass(frozen=True)
class PoolFilter:
    """Filters on the placements' recorded inputs (None: any)."""

    box: int | None = None
    position_type: str | None = None
    rank_order: int | None = None
    rank_is_pppk: bool | None = None
    education_level: str | None = None
    levels: Sequence[str] | None = None  # position levels (readiness: the feeder levels of the target)


def _level(level: str) -> ColumnElement[bool]:
    if level in FUNCTIONAL_LEVELS:
        return and_(Placement.position_type == "fungsional", Placement.functional_level == level)
    return Placement.position_type == level


def _conditions(sources: Sequence[PoolSource], where: PoolFilter) -> list[ColumnElement[bool]]:
    pools = [
        and_(Placement.review_id.in_(source.review_ids), Placement.effective_box.in_(source.boxes))
        for source in sources
    ]
    conditions: list[ColumnElement[bool]] = [or_(*pools) if pools else false()]
    if where.box is not None:
        conditions.append(Placement.effective_box == where.box)
    if where.position_type is not None:
        conditions.append(Placement.position_type == where.position_type)
    if where.rank_order is not None:
        conditions.append(Placement.rank_order == where.rank_order)
        pppk = Placement.employment_type == "pppk"
        conditions.append(pppk if where.rank_is_pppk else ~pppk)
    if where.education_level is not None:
        conditions.append(Placement.education_level == where.education_level)
    if where.levels is not None:
        conditions.append(or_(false(), *(_level(level) for level in where.levels)))
    return conditions


# Boxed placements always have a potential score (the box needs it), so the order has no nulls to place. The order
# is the pool index read backwards: box, potential score, NIP, then the review (a person in two agencies' reviews).
ORDER = (
    Placement.effective_box.desc(),
    Placement.potential_score.desc(),
    Placement.nip.desc(),
    Placement.review_id.desc(),
)
SortKey = tuple[int, float, str, str]


def sort_key(row: Placement) -> SortKey:
    """A placement's place in the pool: the pool lists these keys in descending order."""
    return (int(row.effective_box or 0), float(row.potential_score or 0.0), row.nip, row.review_id)


class TalentPoolRepository:
    """Reads of the pool."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def page(
        self, sources: Sequence[PoolSource], where: PoolFilter, *, after: SortKey | None, limit: int
    ) -> Sequence[Placement]:
        """Up to `limit` pool placements after the sort key `after` (see `sort_key`)."""
        query = select(Placement).where(*_conditions(sources, where))
        if after is not None:
            columns = tuple_(Placement.effective_box, Placement.potential_score, Placement.nip, Placement.review_id)
            query = query.where(columns < tuple_(*after))
        return (await self.session.execute(query.order_by(*ORDER).limit(limit))).scalars().all()

    async def every(self, sources: Sequence[PoolSource], where: PoolFilter) -> Sequence[Placement]:
        """Every pool placement matching the filter, in the pool's order (readiness is computed over them)."""
        query = select(Placement).where(*_conditions(sources, where)).order_by(*ORDER)
        return (await self.session.execute(query)).scalars().all()
