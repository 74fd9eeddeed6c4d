"""Audit answers."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field


class AuditEventRead(BaseModel):
    """One audited action."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    occurred_at: dt.datetime
    actor: str = Field(description='"user:<id>", "client:<client_id>" or "anonymous"')
    actor_name: str | None = Field(description="Username or client id of the actor")
    client_id: str | None = Field(description="The OAuth client the action came through")
    actor_agency_id: str | None
    agency_id: str | None = Field(description="The agency whose data it concerned, when known")
    nip: str | None = Field(description="The person concerned")
    action: str = Field(examples=["employees.read", "auth.token"])
    outcome: str = Field(examples=["success", "denied", "not_found", "failure", "error"])
    status: int
    method: str
    route: str = Field(description="The route template, e.g. /api/v1/employees/{nip}")
    request_id: str | None


class AccessLogEntry(BaseModel):
    """Who read or changed the caller's data, when, and through which client."""

    model_config = ConfigDict(from_attributes=True)

    occurred_at: dt.datetime
    actor_name: str | None
    client_id: str | None
    action: str
    outcome: str
    request_id: str | None
