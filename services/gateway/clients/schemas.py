"""Admin shapes of OAuth clients."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Scope = Literal[
    "employees:read",
    "employees:write",
    "assessments:write",
    "talent:read",
    "talent:write",
    "succession:read",
    "audit:read",
    "admin",
]


class ClientCreate(BaseModel):
    """A new client: confidential (a system, client credentials) or public (an app, PKCE)."""

    model_config = ConfigDict(extra="forbid")

    client_id: str | None = Field(
        default=None,
        min_length=3,
        max_length=100,
        pattern=r"^[A-Za-z0-9._-]+$",
        description="Chosen by the server when omitted",
    )
    name: str = Field(min_length=1, max_length=200, examples=["SIMPEG Kabupaten Lampung Barat"])
    confidential: bool = Field(default=True, description="False for mobile/web apps using PKCE")
    scopes: list[Scope] = Field(default=[], examples=[["employees:read", "talent:read"]])
    agency_id: str | None = Field(default=None, examples=["pemkab-lampung-barat"], description="None: national")
    redirect_uris: list[str] = Field(default=[], examples=[["id.go.talenta.app:/oauth2redirect"]])


class ClientUpdate(BaseModel):
    """Fields to change (send only those); needs If-Match."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    scopes: list[Scope] | None = None
    agency_id: str | None = None
    redirect_uris: list[str] | None = None
    disabled: bool | None = None


class ClientRead(BaseModel):
    """A client (never its secret hash)."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    client_id: str
    name: str
    confidential: bool
    scopes: list[str]
    agency_id: str | None
    redirect_uris: list[str]
    disabled: bool
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int


class ClientWithSecret(ClientRead):
    """A client with its new secret: shown once, stored only hashed."""

    client_secret: str | None = Field(description="Only in this answer; null for public clients")


class ClientSecret(BaseModel):
    """A rotated secret, shown once."""

    client_id: str
    client_secret: str
