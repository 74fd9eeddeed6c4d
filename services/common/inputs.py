"""Request bodies whose strings are trimmed still honour the lengths their schema documents.

Our input models strip surrounding whitespace (`str_strip_whitespace`), and pydantic checks `max_length` after
stripping; the OpenAPI document states `maxLength` of the value as sent. So a 201-character name with a leading
space was accepted against a documented limit of 200 (the schema fuzzing found it). Checking the raw strings
first, against the limits the model's own JSON schema publishes, keeps the two in step.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator
from pydantic_core import InitErrorDetails


@cache
def _max_lengths(model: type[BaseModel]) -> dict[str, int]:
    """Each top-level string property's `maxLength`, by its name in the body (alone or in an anyOf)."""
    limits: dict[str, int] = {}
    for name, schema in model.model_json_schema().get("properties", {}).items():
        for option in (schema, *schema.get("anyOf", ())):
            if option.get("type") == "string" and "maxLength" in option:
                limits[name] = int(option["maxLength"])
    return limits


def refuse_overlong_strings(model: type[BaseModel], data: Any) -> Any:
    """Raise pydantic's own `string_too_long` for a raw string over its documented limit; else answer `data`."""
    if not isinstance(data, dict):
        return data
    errors = [
        InitErrorDetails(type="string_too_long", loc=(name,), input=value, ctx={"max_length": limit})
        for name, limit in _max_lengths(model).items()
        if isinstance(value := data.get(name), str) and len(value) > limit
    ]
    if errors:
        raise ValidationError.from_exception_data(model.__name__, errors)
    return data


class InputModel(BaseModel):
    """A request body of any service: unknown fields are refused (422 naming them); strings are trimmed, and a
    string longer than its documented limit is refused as sent, before trimming."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @model_validator(mode="before")
    @classmethod
    def _refuse_overlong_strings(cls, data: Any) -> Any:
        return refuse_overlong_strings(cls, data)
