"""/v1/events: scoring's outbox as a feed (the gateway merges it with the registry's)."""

from __future__ import annotations

from services.common.errors import Forbidden
from services.common.feed import feed_router
from services.scoring.base import outbox_events
from services.scoring.dependencies import AccessDep


async def caller_agency(access: AccessDep) -> str | None:
    """The caller's agency id (None: national); employee accounts read no feed."""
    if access.employee_only:
        raise Forbidden("The event feed is for systems and administrators.", code="feed_forbidden")
    return access.agency_id


router = feed_router(outbox_events, "scoring", caller_agency)
