"""Pydantic bases shared by scoring's domains: strict inputs, ORM-readable outputs."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from services.common.inputs import InputModel as InputModel  # re-exported: the base of request bodies


class ReadModel(BaseModel):
    """A response body, built from ORM rows or plain values."""

    model_config = ConfigDict(from_attributes=True)
