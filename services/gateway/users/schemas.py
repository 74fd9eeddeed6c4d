"""Admin shapes of users (people who sign in)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Role = Literal["national_admin", "agency_admin", "assessor", "viewer", "employee"]


class UserCreate(BaseModel):
    """A new account; `agency_id` (id or code) for every role but national_admin."""

    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=3, max_length=100, pattern=r"^[A-Za-z0-9._@-]+$", examples=["budi.santoso"])
    password: str = Field(min_length=8, max_length=256, json_schema_extra={"format": "password"})
    roles: list[Role] = Field(min_length=1, examples=[["assessor"]])
    agency_id: str | None = Field(default=None, examples=["pemkab-lampung-barat"])
    nip: str | None = Field(default=None, pattern=r"^\d{18}$", description="The person an employee account is")


class UserUpdate(BaseModel):
    """Fields to change (send only those); needs If-Match."""

    model_config = ConfigDict(extra="forbid")

    roles: list[Role] | None = Field(default=None, min_length=1)
    agency_id: str | None = None
    nip: str | None = Field(default=None, pattern=r"^\d{18}$")
    disabled: bool | None = None
    password: str | None = Field(default=None, min_length=8, max_length=256)


class UserRead(BaseModel):
    """An account (never its password hash)."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    username: str
    roles: list[str]
    agency_id: str | None
    nip: str | None
    disabled: bool
    locked_until: dt.datetime | None
    last_login_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int
