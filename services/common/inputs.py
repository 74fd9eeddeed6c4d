"""Request bodies are checked as their schema documents them, where pydantic's own checks are looser.

- Lengths: our input models strip surrounding whitespace (`str_strip_whitespace`), and pydantic checks
  `max_length` after stripping; the OpenAPI document states `maxLength` of the value as sent. So a 201-character
  name with a leading space was accepted against a documented limit of 200 (the schema fuzzing found it).
- Booleans: pydantic's lax mode reads JSON `true` as the integer 1 (and as 1.0), so `{"komunikasi": true}` was a
  competency level of 1; the schema says integer, and JSON Schema's integers are not booleans (the schema
  fuzzing found it too).
Checking the raw values first, against the model's own JSON schema, keeps the two in step.
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


@cache
def _numbers(model: type[BaseModel]) -> dict[str, str]:
    """Each top-level property documented as a number and never as a boolean: pydantic's error type for it."""
    kinds: dict[str, str] = {}
    for name, schema in model.model_json_schema().get("properties", {}).items():
        types = {option.get("type") for option in (schema, *schema.get("anyOf", ()))}
        if "boolean" not in types and types & {"integer", "number"}:
            kinds[name] = "int_type" if "integer" in types else "float_type"
    return kinds


def refuse_undocumented_values(model: type[BaseModel], data: Any) -> Any:
    """Raise pydantic's own `string_too_long` for a raw string over its documented limit, and its `int_type` or
    `float_type` for a boolean where a number is documented; else answer `data`."""
    if not isinstance(data, dict):
        return data
    errors = [
        InitErrorDetails(type="string_too_long", loc=(name,), input=value, ctx={"max_length": limit})
        for name, limit in _max_lengths(model).items()
        if isinstance(value := data.get(name), str) and len(value) > limit
    ]
    errors += [
        InitErrorDetails(type=kind, loc=(name,), input=value)
        for name, kind in _numbers(model).items()
        if isinstance(value := data.get(name), bool)
    ]
    if errors:
        raise ValidationError.from_exception_data(model.__name__, errors)
    return data


class InputModel(BaseModel):
    """A request body of any service: unknown fields are refused (422 naming them); strings are trimmed, and a
    string longer than its documented limit is refused as sent, before trimming; a number is never a boolean."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @model_validator(mode="before")
    @classmethod
    def _refuse_undocumented_values(cls, data: Any) -> Any:
        return refuse_undocumented_values(cls, data)
