"""Pydantic bases shared by scoring's domains: strict inputs, ORM-readable outputs."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator

from services.common.inputs import refuse_overlong_strings


class InputModel(BaseModel):
    """A request body: unknown fields are refused (422 naming them); strings are trimmed, and a string longer
    than its documented limit is refused as sent, before trimming (services.common.inputs)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @model_validator(mode="before")
    @classmethod
    def _refuse_overlong_strings(cls, data: Any) -> Any:
        return refuse_overlong_strings(cls, data)


class ReadModel(BaseModel):
    """A response body, built from ORM rows or plain values."""

    model_config = ConfigDict(from_attributes=True)
