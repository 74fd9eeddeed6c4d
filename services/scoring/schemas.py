"""Pydantic bases shared by scoring's domains: strict inputs, ORM-readable outputs."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class InputModel(BaseModel):
    """A request body: unknown fields are refused (422 naming them)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ReadModel(BaseModel):
    """A response body, built from ORM rows or plain values."""

    model_config = ConfigDict(from_attributes=True)
