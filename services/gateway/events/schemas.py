"""Public shapes of events and of the feed."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field

EventType = Literal[
    "employee.changed", "review.completed", "review.finalized", "placement.calibrated", "succession.changed"
]


class EventRead(BaseModel):
    """One event, as the feed serves it and as a webhook receives it (the body of a delivery)."""

    id: str = Field(description="Stable event id: de-duplicate on it (deliveries are at least once)")
    type: EventType
    source: Literal["registry", "scoring"]
    subject: str = Field(description="The resource that changed", examples=["employees/198609262015051001"])
    agency_id: str | None
    occurred_at: dt.datetime
    data: dict[str, Any] = Field(
        description="Identifiers of what changed (e.g. nip, review_id, change); read details through the API",
        examples=[{"nip": "198609262015051001", "change": "updated", "version": 4}],
    )


class EventFeed(BaseModel):
    """A page of the merged feed; poll again with `after` = `next_after` (the same value when nothing is new)."""

    items: list[EventRead]
    next_after: str = Field(description="Opaque cursor: pass it as `after` to continue")
    has_more: bool = Field(description="True when more events are waiting right now")
