"""Request and response bodies of units (the organisation tree of an agency)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import ConfigDict, Field

from services.registry.schemas import InputModel, PatchModel, ReadModel

UnitName = Annotated[str, Field(min_length=1, max_length=200, examples=["Dinas Pendidikan dan Kebudayaan"])]
UnitCode = Annotated[str, Field(min_length=1, max_length=50, pattern=r"^[A-Za-z0-9._-]+$", examples=["DISDIK"])]


class UnitCreate(InputModel):
    """A new unit of the agency in the path; `parent_id` places it in the tree (null: a top unit)."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"name": "Bidang Pembinaan SD", "code": "DISDIK-SD", "parent_id": None}]}
    )

    name: UnitName
    code: UnitCode | None = None
    parent_id: str | None = Field(default=None, max_length=36)


class UnitUpdate(PatchModel):
    """The fields of a unit to change; a new `parent_id` must keep the tree a tree, within the agency."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"parent_id": None}]})
    NOT_NULL = frozenset({"name"})

    name: UnitName | None = None
    code: UnitCode | None = None
    parent_id: str | None = Field(default=None, max_length=36)


class UnitRead(ReadModel):
    """A unit."""

    id: str
    agency_id: str
    parent_id: str | None
    name: str
    code: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
