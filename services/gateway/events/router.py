"""`GET /api/v1/events`: the merged event feed, filtered to what the principal may see."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from services.common.errors import problem_responses
from services.gateway.audit.service import build_events, nips_in
from services.gateway.auth.dependencies import CurrentPrincipal
from services.gateway.downstream.proxy import identity_for
from services.gateway.events.catalog import event_access
from services.gateway.events.schemas import EventFeed
from services.gateway.events.service import merged_feed
from services.gateway.permissions import Grant, Reach
from services.gateway.state import gateway_state

router = APIRouter(prefix="/api/v1", tags=["events"])


@router.get("/events", response_model=EventFeed, responses=problem_responses(401, 403, 422, 429, 502, 503))
async def events(
    request: Request,
    principal: CurrentPrincipal,
    after: Annotated[str | None, Query(max_length=200, description="`next_after` of the previous call")] = None,
    limit: Annotated[int, Query(ge=1, le=500, description="Events per page (default 100)")] = 100,
    types: Annotated[str | None, Query(max_length=500, description="Comma list of event types")] = None,
) -> EventFeed:
    """Events (employee.changed, review.completed, review.finalized, placement.calibrated, succession.changed)
    after a cursor, oldest first, of the types and agencies the caller may see. Each type needs the permission
    of what it is about: employees:read, talent:read, succession:read."""
    state = gateway_state(request)
    access = event_access(principal)
    reach = Reach.ALL if access.agency_id is None else Reach.AGENCY
    identity = identity_for(principal, Grant(reach))
    clients = {"registry": state.registry, "scoring": state.scoring}
    feed = await merged_feed(clients, identity, access, after, limit, types)
    people = nips_in([item.data for item in feed.items])
    if people:  # employee and placement events name people: their reads are audited like any other
        records = build_events(
            principal=principal, action="events.read", method="GET", route="/api/v1/events", status=200, nips=people
        )
        await state.audit.record(records)
    return feed
