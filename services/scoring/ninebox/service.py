"""The national 9-box: the sum over each agency's latest finalized review of a period, and each agency's grid.

Finalized, not merely completed: the national picture reports what each talent committee decided (the same
reviews national succession and the talent pool draw on); agencies whose review of the period still awaits its
decree are listed apart and not counted."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from services.scoring import engine
from services.scoring.access import Access
from services.scoring.agencies import visible_agency
from services.scoring.errors import invalid_field
from services.scoring.ninebox.repository import NineBoxRepository
from services.scoring.ninebox.schemas import AgencyNineBox, AwaitingDecree, BoxCount, NationalNineBox
from services.scoring.placements.service import nine_box_cells
from services.scoring.registry import AgencyRef, Registry
from services.scoring.reviews.models import TalentReview

COUNTS = ("total", "placed", "incomplete", "talent_pool", "calibrated")


def _named(agencies: dict[str, AgencyRef], agency_id: str) -> AgencyRef:
    return agencies.get(agency_id) or AgencyRef(agency_id, agency_id, agency_id)


def _agency_grid(review: TalentReview, agency: AgencyRef) -> AgencyNineBox:
    summary = review.summary or {}
    boxes = summary.get("boxes", {})
    return AgencyNineBox(
        agency_id=agency.id,
        code=agency.code,
        name=agency.name,
        region=agency.region,
        review_id=review.id,
        policy_id=review.policy_id,
        policy_version=review.policy_version,
        finalized_at=review.finalized_at,
        decree_number=review.decree_number,
        boxes=[BoxCount(box=box, count=int(boxes.get(str(box), 0))) for box in range(9, 0, -1)],
        **{name: int(summary.get(name, 0)) for name in COUNTS},
    )


def _national(period: int, grids: Sequence[AgencyNineBox], calibrated: dict[int, int]) -> dict[str, object]:
    by_box = {box: sum(cell.count for grid in grids for cell in grid.boxes if cell.box == box) for box in range(1, 10)}
    totals = {name: sum(getattr(grid, name) for grid in grids) for name in COUNTS}
    cells = nine_box_cells(engine.builtin_policy(), by_box, calibrated)
    return {"period": period, "agencies_counted": len(grids), "boxes": cells, **totals}


async def national_nine_box(
    session: AsyncSession, access: Access, registry: Registry, period: int, agency_ref: str | None
) -> NationalNineBox:
    """The grid of every agency the caller sees (or the one named) and their sum, for `period`."""
    access.require_staff()
    if not 2000 <= period <= 2100:
        raise invalid_field(["query", "period"], "a year from 2000 to 2100")
    agency_id = access.agency_id
    if agency_ref is not None:
        agency_id = (await visible_agency(registry, access, agency_ref)).id
    repository = NineBoxRepository(session)
    reviews = await repository.latest_finalized(period, agency_id)
    waiting = await repository.awaiting_decree(period, agency_id)
    agencies = {agency.id: agency for agency in await registry.all_agencies()} if reviews or waiting else {}
    grids = sorted(
        (_agency_grid(review, _named(agencies, review.agency_id)) for review in reviews), key=lambda g: g.code
    )
    calibrated = await repository.calibrated_by_box([review.id for review in reviews])
    return NationalNineBox(
        **_national(period, grids, calibrated),
        agencies=grids,
        awaiting_decree=[
            AwaitingDecree(
                agency_id=r.agency_id, code=(a := _named(agencies, r.agency_id)).code, name=a.name, review_id=r.id
            )
            for r in waiting
        ],
    )
