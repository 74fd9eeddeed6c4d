"""Pydantic bases shared by the registry's domains: strict inputs, ORM-readable outputs, PATCH bodies."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from services.common.inputs import InputModel as InputModel  # re-exported: the base of request bodies


class PatchModel(InputModel):
    """A PATCH body: only the fields to change; `NOT_NULL` fields may be omitted but not set to null."""

    NOT_NULL: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="wrap")
    @classmethod
    def _refuse_null_for_required(cls, data: Any, handler: Any) -> Any:
        if isinstance(data, dict):
            nulls = [name for name in sorted(cls.NOT_NULL) if name in data and data[name] is None]
            if nulls:
                error = PydanticCustomError("not_null", "cannot be null; omit the field to keep its value")
                details = [InitErrorDetails(type=error, loc=(name,), input=None) for name in nulls]
                raise ValidationError.from_exception_data(cls.__name__, details)
        return handler(data)

    def changes(self) -> dict[str, Any]:
        """The fields the client sent, by name."""
        return self.model_dump(exclude_unset=True)


class ReadModel(BaseModel):
    """A response body, built from ORM rows."""

    model_config = ConfigDict(from_attributes=True)


class RecordRead(ReadModel):
    """Provenance of an employee record: where it came from, who recorded it and when; `source_fetched_at` is
    when a SIASN sync fetched the values it last wrote (null for manual and imported records)."""

    source: str
    source_fetched_at: dt.datetime | None
    recorded_at: dt.datetime = Field(validation_alias="created_at")
    recorded_by: str = Field(validation_alias="created_by")
