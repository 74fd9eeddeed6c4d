"""Request and response bodies of /v1/agencies."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import ConfigDict, Field, field_validator

from services.common.ids import is_uuid
from services.registry.schemas import InputModel, PatchModel, ReadModel

AgencyCode = Annotated[
    str,
    Field(min_length=2, max_length=100, pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", examples=["pemkab-lampung-barat"]),
]
AgencyName = Annotated[str, Field(min_length=1, max_length=200, examples=["Pemerintah Kabupaten Lampung Barat"])]
Region = Annotated[str, Field(min_length=1, max_length=100, examples=["Lampung"])]


class AgencyCreate(InputModel):
    """A new agency; `code` is its permanent lowercase slug."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"code": "pemkab-lampung-barat", "name": "Pemerintah Kabupaten Lampung Barat", "region": "Lampung"}
            ]
        }
    )

    code: AgencyCode
    name: AgencyName
    region: Region | None = None

    @field_validator("code")
    @classmethod
    def _code_is_not_an_id(cls, value: str) -> str:
        # Agencies are named by id or code everywhere, so a code must never look like an id.
        if is_uuid(value):
            raise ValueError("a code must not be a UUID")
        return value


class AgencyUpdate(PatchModel):
    """The fields of an agency to change (its code is permanent)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"name": "Pemkab Lampung Barat"}]})
    NOT_NULL = frozenset({"name"})

    name: AgencyName | None = None
    region: Region | None = None


class AgencyRead(ReadModel):
    """An agency."""

    id: str
    code: str
    name: str
    region: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
