"""Placement use cases: read (with the explanation), filter, calibrate, and the 9-box of a review."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.db import utcnow
from services.common.errors import Conflict, Forbidden
from services.common.pagination import PageParams, make_page
from services.scoring import engine
from services.scoring.access import Access
from services.scoring.engine.codes import PERFORMANCE_LEVELS, POTENTIAL_LEVELS
from services.scoring.errors import invalid_field, not_found, review_not_completed
from services.scoring.events import service as events
from services.scoring.placements.explain import explanations
from services.scoring.placements.models import Calibration, Placement
from services.scoring.placements.repository import PlacementFilter, PlacementRepository
from services.scoring.placements.schemas import (
    CalibrationCreate,
    CalibrationRead,
    NineBox,
    NineBoxCell,
    NineBoxRecommendation,
    PlacementRead,
)
from services.scoring.policies.repository import PolicyRepository
from services.scoring.policies.service import engine_policy
from services.scoring.reviews.models import COMPLETED, TalentReview
from services.scoring.reviews.service import get_visible_review, require_open
from services.scoring.reviews.summary import review_summary


async def review_policy(session: AsyncSession, review: TalentReview) -> engine.Policy:
    """The policy version a review used."""
    row = await PolicyRepository(session).get(review.policy_id, review.policy_version)
    if row is None:  # the foreign key makes this impossible short of manual deletes
        raise LookupError(f"policy {review.policy_id}@{review.policy_version} missing")
    return engine_policy(row)


def placement_reads(
    rows: Sequence[Placement],
    policy: engine.Policy,
    period: int,
    calibrations: dict[str, list[Calibration]],
    *,
    with_history: bool = False,
) -> list[PlacementRead]:
    """Answers for placements: stored results, explanations recomputed from their inputs, calibrations."""
    pool = set(policy.talent_pool_boxes)
    reads = []
    for row, explanation in zip(rows, explanations(rows, policy, period), strict=True):
        history = [CalibrationRead.of(c) for c in calibrations.get(row.nip, [])]
        reads.append(
            PlacementRead(
                review_id=row.review_id,
                nip=row.nip,
                name=row.name,
                unit_id=row.unit_id,
                position_id=row.position_id,
                status="placed" if row.placed else "incomplete",
                box=row.box,
                effective_box=row.effective_box,
                performance_level=row.performance_level,
                potential_level=row.potential_level,
                potential_score=row.potential_score,
                performance_score=row.performance_score,
                jpm=row.jpm,
                in_talent_pool=row.effective_box in pool,
                missing=row.missing.split(",") if row.missing else [],
                explanation=explanation,
                calibrated_box=row.calibrated_box,
                calibration=history[-1] if history else None,
                calibrations=history if with_history else None,
            )
        )
    return reads


async def _completed_review(session: AsyncSession, access: Access, review_id: str) -> TalentReview:
    review = await get_visible_review(session, access, review_id)
    if review.status != COMPLETED:
        raise review_not_completed(review.id, review.status)
    return review


async def get_placement(session: AsyncSession, access: Access, review_id: str, nip: str) -> tuple[PlacementRead, int]:
    """One person's placement in a completed review, and its version (ETag); 404 outside the caller's reach."""
    review = await get_visible_review(session, access, review_id)
    if not access.sees_person(review.agency_id, nip):
        raise not_found("placement", nip)
    if review.status != COMPLETED:
        raise review_not_completed(review.id, review.status)
    repository = PlacementRepository(session)
    row = await repository.get(review_id, nip)
    if row is None:
        raise not_found("placement", nip)
    policy = await review_policy(session, review)
    calibrations = await repository.calibrations(review_id, [nip])
    return placement_reads([row], policy, review.period, calibrations, with_history=True)[0], row.version


async def list_placements(
    session: AsyncSession, access: Access, review_id: str, where: PlacementFilter, page: PageParams
) -> tuple[list[PlacementRead], str | None]:
    """A page of a completed review's placements in NIP order, by effective box, status and unit."""
    access.require_staff()
    review = await _completed_review(session, access, review_id)
    after = str(page.after[0]) if page.after else None
    repository = PlacementRepository(session)
    rows, cursor = make_page(
        await repository.page(review_id, where, after=after, limit=page.limit + 1), page, lambda r: [r.nip]
    )
    policy = await review_policy(session, review)
    calibrations = await repository.calibrations(review_id, [row.nip for row in rows])
    return placement_reads(rows, policy, review.period, calibrations), cursor


async def refresh_summary(session: AsyncSession, review: TalentReview, policy: engine.Policy) -> None:
    """Recount a review's summary by effective box (after a calibration)."""
    counts = await PlacementRepository(session).box_counts(review.id)
    review.summary = review_summary(counts.by_box, counts.incomplete, counts.calibrated, policy.talent_pool_boxes)


async def calibrate(
    session: AsyncSession, access: Access, review_id: str, nip: str, data: CalibrationCreate
) -> tuple[PlacementRead, int]:
    """Set a placement's box by a person's decision (the engine's box stays); refused on finalized reviews."""
    access.require_staff()
    if access.caller_nip is not None and access.caller_nip == nip:
        raise Forbidden("Nobody calibrates their own placement.", code="own_record")
    review = await get_visible_review(session, access, review_id, for_update=True)
    require_open(review)
    repository = PlacementRepository(session)
    placement = await repository.get(review_id, nip, for_update=True)
    if placement is None:
        raise not_found("placement", nip)
    if not placement.placed:
        raise Conflict(
            "An incomplete placement has no box to calibrate; complete its data and run a new review.",
            code="placement_incomplete",
        )
    now = utcnow()
    calibration = await repository.add_calibration(
        Calibration(
            review_id=review_id,
            nip=nip,
            box=data.box,
            previous_box=placement.effective_box,
            reason=data.reason,
            created_at=now,
            created_by=access.actor,
        )
    )
    placement.calibrated_box = placement.effective_box = data.box
    placement.calibration_id = calibration.id
    placement.version += 1
    await session.flush()
    await events.placement_calibrated(session, review_id, review.agency_id, nip, calibration.id)
    policy = await review_policy(session, review)
    await refresh_summary(session, review, policy)
    review.version += 1
    review.updated_at, review.updated_by = now, access.actor
    await session.flush()
    calibrations = await repository.calibrations(review_id, [nip])
    return placement_reads([placement], policy, review.period, calibrations, with_history=True)[0], placement.version


def _cell_levels(policy: engine.Policy) -> dict[int, tuple[str, str]]:
    table = policy.box_table
    return {
        getattr(getattr(table, performance), potential): (performance, potential)
        for performance in PERFORMANCE_LEVELS
        for potential in POTENTIAL_LEVELS
    }


def nine_box_cells(policy: engine.Policy, by_box: dict[int, int], calibrated: dict[int, int]) -> list[NineBoxCell]:
    """All nine boxes, best first, with counts, labels and recommendations from the policy."""
    levels = _cell_levels(policy)
    pool = set(policy.talent_pool_boxes)
    cells = []
    for box in range(9, 0, -1):
        info = policy.boxes[box]
        recommendations = [
            NineBoxRecommendation(label_id=text_id, label_en=text_en)
            for text_id, text_en in zip(info.recommendations_id, info.recommendations_en, strict=False)
        ]
        cells.append(
            NineBoxCell(
                box=box,
                count=by_box.get(box, 0),
                calibrated=calibrated.get(box, 0),
                performance_level=levels[box][0],
                potential_level=levels[box][1],
                in_talent_pool=box in pool,
                label_id=info.label_id,
                label_en=info.label_en,
                recommendations=recommendations,
            )
        )
    return cells


async def nine_box(session: AsyncSession, access: Access, review_id: str) -> tuple[NineBox, TalentReview]:
    """The 9-box of a completed review, counted by effective box."""
    access.require_staff()
    review = await _completed_review(session, access, review_id)
    counts = await PlacementRepository(session).box_counts(review_id)
    policy = await review_policy(session, review)
    summary: dict[str, Any] = review_summary(
        counts.by_box, counts.incomplete, counts.calibrated, policy.talent_pool_boxes
    )
    grid = NineBox(
        review_id=review.id,
        policy_id=review.policy_id,
        policy_version=review.policy_version,
        total=summary["total"],
        placed=summary["placed"],
        incomplete=summary["incomplete"],
        talent_pool=summary["talent_pool"],
        calibrated=summary["calibrated"],
        boxes=nine_box_cells(policy, counts.by_box, counts.calibrated_by_box),
    )
    return grid, review


def box_filter(box: int | None, status: str | None, unit_id: str | None) -> PlacementFilter:
    """The filter of a placement list; 422 naming a bad value."""
    if status is not None and status not in ("placed", "incomplete"):
        raise invalid_field(["query", "status"], "placed or incomplete")
    return PlacementFilter(box=box, placed=None if status is None else status == "placed", unit_id=unit_id)
