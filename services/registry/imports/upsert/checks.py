"""Fast checks of the API's annotated string types, read from their own metadata (not a second copy of the rule).

A pydantic TypeAdapter call costs a microsecond or two; these plain comparisons a tenth of that, which matters
at a million rows. A type whose metadata holds anything else falls back to its TypeAdapter."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, get_args

from annotated_types import MaxLen, MinLen
from pydantic import TypeAdapter, ValidationError


def text_check(annotated: Any) -> Callable[[str], bool]:
    """Whether a string satisfies the length limits and pattern of `annotated` (e.g. the API's `Name`)."""
    low, high, pattern, other = 0, None, None, False
    for info in get_args(annotated)[1:]:
        for item in getattr(info, "metadata", [info]):
            if isinstance(item, MinLen):
                low = item.min_length
            elif isinstance(item, MaxLen):
                high = item.max_length
            elif getattr(item, "pattern", None) is not None:
                pattern = re.compile(item.pattern)
            else:
                other = True
    if other:
        adapter: TypeAdapter[str] = TypeAdapter(annotated)
        return lambda value: _adapter_accepts(adapter, value)
    return lambda value: low <= len(value) <= (high or len(value)) and (pattern is None or bool(pattern.search(value)))


def _adapter_accepts(adapter: TypeAdapter[str], value: str) -> bool:
    try:
        adapter.validate_python(value)
    except ValidationError:
        return False
    return True
