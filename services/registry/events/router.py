"""/v1/events: the registry's outbox (`employee.changed`, written by triggers of the employees table) as a feed."""

from __future__ import annotations

from services.common.errors import Forbidden
from services.common.feed import feed_router
from services.registry.base import outbox_events
from services.registry.dependencies import ScopeDep


async def caller_agency(scope: ScopeDep) -> str | None:
    """The caller's agency id (None: national); employee accounts read no feed."""
    if scope.employee_only:
        raise Forbidden("The event feed is for systems and administrators.", code="feed_forbidden")
    return scope.agency_id


router = feed_router(outbox_events, "registry", caller_agency)
