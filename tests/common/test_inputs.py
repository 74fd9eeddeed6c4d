"""Request bodies checked as their schema documents them: raw string lengths, and no boolean for a number."""

from __future__ import annotations

import pytest
from pydantic import Field, ValidationError

from services.common.inputs import InputModel


class Inner(InputModel):
    level: int | None = Field(default=None, ge=1, le=5)


class Body(InputModel):
    name: str = Field(default="x", max_length=5)
    count: int = 1
    score: float = 0.0
    flag: bool | int = 0  # a boolean is documented here: it stays one
    inner: Inner | None = None


@pytest.mark.parametrize(
    ("body", "where", "kind"),
    [
        ('{"count": true}', ("count",), "int_type"),
        ('{"score": false}', ("score",), "float_type"),
        ('{"inner": {"level": true}}', ("inner", "level"), "int_type"),
        ('{"name": " 12345"}', ("name",), "string_too_long"),
    ],
)
def test_a_value_the_schema_does_not_allow_is_refused_by_name(body: str, where: tuple[str, ...], kind: str) -> None:
    with pytest.raises(ValidationError) as refused:
        Body.model_validate_json(body)
    [error] = refused.value.errors()
    assert (error["loc"], error["type"]) == (where, kind)


def test_what_the_schema_allows_is_read_as_before() -> None:
    body = Body.model_validate_json('{"name": " abc ", "count": 2, "score": 1, "flag": true, "inner": {"level": 5}}')
    assert (body.name, body.count, body.score, body.flag, body.inner) == ("abc", 2, 1.0, True, Inner(level=5))
