"""Reading every placement of a review, a page at a time, as rows of the committee's spreadsheet."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.scoring import engine
from services.scoring.access import Access
from services.scoring.errors import review_not_completed
from services.scoring.placements.repository import PlacementFilter, PlacementRepository
from services.scoring.placements.service import review_policy
from services.scoring.placements.spreadsheet import Cell
from services.scoring.reviews.models import COMPLETED
from services.scoring.reviews.service import get_visible_review

BATCH = 2000


@dataclass(frozen=True)
class PlacementExport:
    """What a download reads: a completed review the caller sees, its filter, and the policy's labels."""

    review_id: str
    where: PlacementFilter
    labels: dict[int, tuple[str, str]]  # box -> (label_id, label_en)
    pool: frozenset[int]


async def prepare_export(
    session: AsyncSession, access: Access, review_id: str, where: PlacementFilter
) -> PlacementExport:
    """Check the caller may read the review's placements (404/409 before any byte is sent)."""
    access.require_staff()
    review = await get_visible_review(session, access, review_id)
    if review.status != COMPLETED:
        raise review_not_completed(review.id, review.status)
    policy: engine.Policy = await review_policy(session, review)
    labels = {box: (info.label_id, info.label_en) for box, info in policy.boxes.items()}
    return PlacementExport(review.id, where, labels, frozenset(policy.talent_pool_boxes))


async def placement_rows(maker: async_sessionmaker[AsyncSession], export: PlacementExport) -> AsyncIterator[list[Cell]]:
    """Every placement in NIP order (its own session: the request's has committed when the body streams)."""
    after: str | None = None
    while True:
        async with maker() as session:
            repository = PlacementRepository(session)
            rows = await repository.page(export.review_id, export.where, after=after, limit=BATCH)
            latest = await repository.calibrations(export.review_id, [row.nip for row in rows])
        for row in rows:
            calibration = latest[row.nip][-1] if latest.get(row.nip) else None
            label_id, label_en = export.labels.get(row.effective_box or 0, (None, None))
            yield [
                row.nip, row.name, row.unit_id, row.position_id, "placed" if row.placed else "incomplete", row.box,
                row.effective_box, label_id, label_en, row.performance_level, row.potential_level,
                row.potential_score, row.jpm, row.effective_box in export.pool, (row.missing or "").replace(",", ";"),
                row.calibrated_box, calibration.reason if calibration else None,
                calibration.created_by if calibration else None,
            ]  # fmt: skip
        if len(rows) < BATCH:
            return
        after = rows[-1].nip
