"""The events scoring emits, each written by the transaction that makes the change (so both commit or neither).

Events name what changed by its identifiers only; receivers read names, boxes and scores through the API,
where the caller's scope applies and personal-data reads are audited."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.outbox import Event, Outbox
from services.scoring.base import outbox_events

REVIEW_COMPLETED = "review.completed"
REVIEW_FINALIZED = "review.finalized"
PLACEMENT_CALIBRATED = "placement.calibrated"
SUCCESSION_CHANGED = "succession.changed"
EVENT_TYPES = (REVIEW_COMPLETED, REVIEW_FINALIZED, PLACEMENT_CALIBRATED, SUCCESSION_CHANGED)


async def _emit(session: AsyncSession, event: Event) -> None:
    await Outbox(session, outbox_events).emit([event])


async def review_completed(session: AsyncSession, review_id: str, agency_id: str, period: int) -> None:
    """A review's placements are written and visible."""
    data = {"review_id": review_id, "period": period}
    await _emit(session, Event(REVIEW_COMPLETED, f"talent-reviews/{review_id}", agency_id, data))


async def review_finalized(session: AsyncSession, review_id: str, agency_id: str, period: int, decree: str) -> None:
    """The talent committee's decree locked a review."""
    data = {"review_id": review_id, "period": period, "decree_number": decree}
    await _emit(session, Event(REVIEW_FINALIZED, f"talent-reviews/{review_id}", agency_id, data))


async def placement_calibrated(
    session: AsyncSession, review_id: str, agency_id: str, nip: str, calibration_id: str
) -> None:
    """A person moved a placement to another box."""
    data = {"review_id": review_id, "nip": nip, "calibration_id": calibration_id}
    subject = f"talent-reviews/{review_id}/placements/{nip}"
    await _emit(session, Event(PLACEMENT_CALIBRATED, subject, agency_id, data))


async def succession_changed(
    session: AsyncSession,
    position_id: str,
    agency_id: str,
    shortlist_id: str,
    previous_id: str | None,
    as_of: dt.date,
) -> None:
    """A position's shortlist (who, in which order, how ready) differs from the one computed before."""
    data = {
        "position_id": position_id,
        "shortlist_id": shortlist_id,
        "previous_shortlist_id": previous_id,
        "as_of": as_of.isoformat(),
    }
    await _emit(session, Event(SUCCESSION_CHANGED, f"positions/{position_id}/successors", agency_id, data))
