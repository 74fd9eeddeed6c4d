"""Review use cases: start one (a queued job), read and list them, finalize one (the decree locks it)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.db import utcnow
from services.common.pagination import PageParams, make_page
from services.scoring import engine
from services.scoring.access import Access
from services.scoring.agencies import body_agency, visible_agency
from services.scoring.errors import invalid_field, not_found, review_finalized, review_not_completed
from services.scoring.events import service as events
from services.scoring.policies.repository import PolicyRepository
from services.scoring.policies.service import visible
from services.scoring.registry import Registry
from services.scoring.reviews.models import COMPLETED, QUEUED, STATUSES, TalentReview
from services.scoring.reviews.repository import ReviewRepository
from services.scoring.reviews.schemas import FinalizeRequest, ReviewCreate

JAKARTA = ZoneInfo("Asia/Jakarta")


def today() -> dt.date:
    """Today in the calendar of DOMAIN.md (Asia/Jakarta)."""
    return dt.datetime.now(JAKARTA).date()


async def start_review(session: AsyncSession, access: Access, registry: Registry, data: ReviewCreate) -> TalentReview:
    """Queue a review of an agency for a period under a policy version visible to that agency."""
    access.require_staff()
    agency = await body_agency(registry, access, data.agency_id, ["body", "agency_id"])
    if data.period > today().year:
        raise invalid_field(["body", "period"], f"a review period cannot be after {today().year}")
    policy_id = data.policy_id or engine.DEFAULT_POLICY_ID
    policy = await PolicyRepository(session).get(policy_id, data.policy_version)
    if policy is None or not visible(policy, agency.id):
        ref = policy_id if data.policy_version is None else f"{policy_id}@{data.policy_version}"
        raise invalid_field(["body", "policy_id"], f"no policy {ref!r} for this agency", code="unknown_policy")
    now = utcnow()
    review = TalentReview(
        agency_id=agency.id,
        period=data.period,
        policy_id=policy.id,
        policy_version=policy.version,
        status=QUEUED,
        progress=0.0,
        attempts=0,
        available_at=now,
        created_at=now,
        updated_at=now,
        created_by=access.actor,
        updated_by=access.actor,
    )
    return await ReviewRepository(session).add(review)


async def get_visible_review(
    session: AsyncSession, access: Access, review_id: str, *, for_update: bool = False
) -> TalentReview:
    """A review of an agency the caller may see; 404 otherwise."""
    review = await ReviewRepository(session).get(review_id, for_update=for_update)
    if review is None or not access.sees_agency(review.agency_id):
        raise not_found("review", review_id)
    return review


async def list_reviews(
    session: AsyncSession,
    access: Access,
    registry: Registry,
    page: PageParams,
    agency_ref: str | None,
    status: str | None,
) -> tuple[list[TalentReview], str | None]:
    """Reviews the caller may see, newest first, filtered by agency and status."""
    access.require_staff()
    agency_id = access.agency_id
    if agency_ref is not None:
        agency_id = (await visible_agency(registry, access, agency_ref)).id
    if status is not None and status not in STATUSES:
        raise invalid_field(["query", "status"], f"one of {', '.join(STATUSES)}")
    before = str(page.after[0]) if page.after else None
    rows = await ReviewRepository(session).list(agency_id=agency_id, status=status, before=before, limit=page.limit + 1)
    return make_page(rows, page, lambda review: [review.id])


def require_open(review: TalentReview) -> None:
    """409 unless the review is completed and not finalized (calibrations, finalizing)."""
    if review.finalized_at is not None:
        raise review_finalized(review.id)
    if review.status != COMPLETED:
        raise review_not_completed(review.id, review.status)


async def finalize_review(session: AsyncSession, access: Access, review_id: str, data: FinalizeRequest) -> TalentReview:
    """Record the committee's decree on a completed review; every later write is refused (409)."""
    access.require_staff()
    review = await get_visible_review(session, access, review_id, for_update=True)
    require_open(review)
    now = utcnow()
    review.finalized_at = now
    review.finalized_by = access.actor
    review.decree_number = data.decree_number
    review.approved_by = data.approved_by
    review.updated_at = now
    review.updated_by = access.actor
    review.version += 1
    await session.flush()
    await events.review_finalized(session, review.id, review.agency_id, review.period, data.decree_number)
    return review
