"""Request and response bodies of webhooks and their deliveries."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from services.gateway.events.schemas import EventType


class WebhookCreate(BaseModel):
    """An endpoint to call and the event types wanted (each must be visible to the caller)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"url": "https://hr.example.go.id/talenta/hooks", "events": ["review.finalized"]}]
        },
    )

    url: str = Field(min_length=8, max_length=2000, description="HTTPS endpoint (plain HTTP only in local/test mode)")
    events: list[EventType] = Field(min_length=1, max_length=10)
    description: str | None = Field(default=None, max_length=200)


class WebhookUpdate(BaseModel):
    """The fields to change; `active: false` pauses deliveries (events still queue for a day)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"active": False}]})

    url: str | None = Field(default=None, min_length=8, max_length=2000)
    events: list[EventType] | None = Field(default=None, min_length=1, max_length=10)
    description: str | None = Field(default=None, max_length=200)
    active: bool | None = None


class WebhookRead(BaseModel):
    """A registered webhook (its secret is never shown again)."""

    id: str
    url: str
    events: list[EventType]
    description: str | None
    active: bool
    agency_id: str | None = Field(description="Events of this agency only (null: every agency)")
    owner: str
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int


class WebhookWithSecret(WebhookRead):
    """The answer to a registration: the signing secret, shown this once."""

    secret: str = Field(description="HMAC-SHA256 key of the Talenta-Signature header; store it now")


class AttemptRead(BaseModel):
    """One try of a delivery."""

    attempted_at: dt.datetime
    status_code: int | None = Field(description="The receiver's HTTP status, null when it could not be reached")
    error: str | None
    duration_ms: float


class DeliveryRead(BaseModel):
    """One event sent (or being sent) to the webhook, with every attempt."""

    id: str
    event_id: str
    event_type: EventType
    status: Literal["pending", "delivered", "failed", "cancelled"]
    attempts: int
    created_at: dt.datetime
    next_attempt_at: dt.datetime | None
    delivered_at: dt.datetime | None
    last_status_code: int | None
    attempt_log: list[AttemptRead]
