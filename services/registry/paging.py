"""Typed keyset cursors on top of services.common.pagination."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from services.common.errors import invalid
from services.common.pagination import PageParams


def cursor_key(page: PageParams, *types: Callable[[Any], Any]) -> tuple[Any, ...] | None:
    """The sort key a cursor carries, each part converted by `types`; 422 naming `cursor` if it does not fit."""
    if page.after is None:
        return None
    if len(page.after) != len(types):
        raise invalid(["query", "cursor"], "not a cursor of this list")
    try:
        return tuple(convert(value) for convert, value in zip(types, page.after, strict=True))
    except (TypeError, ValueError):
        raise invalid(["query", "cursor"], "not a cursor of this list") from None


def after_id(page: PageParams) -> str | None:
    """The id a single-key cursor continues after."""
    key = cursor_key(page, str)
    return None if key is None else str(key[0])
