"""`GET /v1/events`: a service's outbox served as an internal feed (the gateway merges and filters the feeds)."""

# No `from __future__ import annotations`: the route's annotations name a dependency made in the factory.

import datetime as dt
import re
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field
from sqlalchemy import Table

from services.common.db import SessionDep
from services.common.errors import invalid, problem_responses
from services.common.outbox import Outbox

_TYPE = re.compile(r"^[a-z_]+\.[a-z_]+$")
MAX_FEED_LIMIT = 1000


class EventRead(BaseModel):
    """One event: what happened (`type`) to what (`subject`), where and when; `id` is stable for de-duplication."""

    id: str
    position: int = Field(description="Order in this service's feed; continue with `after` = the last one seen")
    source: str = Field(description="The service whose outbox holds the event")
    type: str = Field(examples=["review.finalized"])
    subject: str = Field(examples=["talent-reviews/0193c3b0-0000-7000-8000-000000000001"])
    agency_id: str | None
    occurred_at: dt.datetime
    data: dict[str, Any] = Field(description="Identifiers of what changed (no names or scores: read them by API)")


class EventFeed(BaseModel):
    """A page of the feed: `next_after` is where to continue (the same value again when nothing is new)."""

    items: list[EventRead]
    next_after: int
    has_more: bool


def parse_types(types: str | None) -> list[str] | None:
    """A comma list of event types (None: every type); 422 naming `types` for a malformed one."""
    if types is None:
        return None
    names = [name.strip() for name in types.split(",") if name.strip()]
    if bad := [name for name in names if not _TYPE.match(name)]:
        raise invalid(["query", "types"], f"not an event type: {', '.join(bad[:3])}")
    return names


def feed_router(table: Table, source: str, caller_agency: Callable[..., Awaitable[str | None]]) -> APIRouter:
    """The feed route of a service: `caller_agency` answers the caller's agency id (None: national)."""
    router = APIRouter(tags=["events"])
    agency_dependency = Depends(caller_agency)

    @router.get("/v1/events", response_model=EventFeed, responses=problem_responses(401, 403, 422))
    async def events(
        session: SessionDep,
        agency_id: Annotated[str | None, agency_dependency],
        after: Annotated[int, Query(ge=0, le=2**62, description="The last position seen (0: from the start)")] = 0,
        limit: Annotated[int, Query(ge=1, le=MAX_FEED_LIMIT)] = 100,
        types: Annotated[str | None, Query(max_length=500, description="Comma list of event types")] = None,
    ) -> EventFeed:
        """Committed events after a position, in commit order, of the caller's agency (national: all)."""
        names = parse_types(types)
        outbox = Outbox(session, table)
        await outbox.sequence()
        rows = await outbox.read(after=after, limit=limit + 1, agency_id=agency_id, types=names)
        items = [
            EventRead(
                id=row.id,
                position=row.position,
                source=source,
                type=row.type,
                subject=row.subject,
                agency_id=row.agency_id,
                occurred_at=row.occurred_at,
                data=row.data,
            )
            for row in rows[:limit]
        ]
        return EventFeed(items=items, next_after=items[-1].position if items else after, has_more=len(rows) > limit)

    return router
