"""A person's talent across reviews: the latest placement and the history (agency scope applies)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.scoring.access import Access
from services.scoring.errors import not_found
from services.scoring.placements.repository import PlacementRepository
from services.scoring.placements.schemas import EmployeeTalent, TalentHistoryEntry
from services.scoring.placements.service import placement_reads, review_policy


async def employee_talent(session: AsyncSession, access: Access, nip: str) -> EmployeeTalent:
    """The latest placement of `nip` and every placement of theirs in completed reviews the caller may see."""
    if access.employee_only and access.caller_nip != nip:
        raise not_found("employee", nip)
    repository = PlacementRepository(session)
    rows = await repository.history(nip, access.agency_id)
    if not rows:
        return EmployeeTalent(nip=nip, latest=None, history=[])
    history = []
    for placement, review in rows:
        policy = await review_policy(session, review)
        history.append(
            TalentHistoryEntry(
                review_id=review.id,
                agency_id=review.agency_id,
                period=review.period,
                policy_id=review.policy_id,
                policy_version=review.policy_version,
                completed_at=review.completed_at,
                finalized=review.finalized_at is not None,
                decree_number=review.decree_number,
                status="placed" if placement.placed else "incomplete",
                box=placement.box,
                calibrated_box=placement.calibrated_box,
                effective_box=placement.effective_box,
                in_talent_pool=placement.effective_box in set(policy.talent_pool_boxes),
            )
        )
    latest_placement, latest_review = rows[0]
    policy = await review_policy(session, latest_review)
    calibrations = await repository.calibrations(latest_review.id, [nip])
    latest = placement_reads([latest_placement], policy, latest_review.period, calibrations, with_history=True)[0]
    return EmployeeTalent(nip=nip, latest=latest, history=history)
