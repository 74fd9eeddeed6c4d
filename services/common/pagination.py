"""Cursor pagination as API.md fixes it: `?limit=` (default 50, max 500), `?cursor=`, `next_cursor`."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

import orjson
from fastapi import Depends, Query
from pydantic import BaseModel

from services.common.errors import invalid

T = TypeVar("T")
DEFAULT_LIMIT = 50
MAX_LIMIT = 500


class Page(BaseModel, Generic[T]):
    """One page of a list; `next_cursor` is null on the last page."""

    items: list[T]
    next_cursor: str | None = None


def encode_cursor(key: Sequence[Any]) -> str:
    """An opaque cursor for the sort key of the last item served."""
    return base64.urlsafe_b64encode(orjson.dumps(list(key))).decode().rstrip("=")


def decode_cursor(cursor: str) -> list[Any]:
    """The sort key inside a cursor; 422 naming `cursor` if it was not made by `encode_cursor`."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = orjson.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, orjson.JSONDecodeError, ValueError) as exc:
        raise invalid(["query", "cursor"], "not a cursor this API issued") from exc
    if not isinstance(value, list):
        raise invalid(["query", "cursor"], "not a cursor this API issued")
    return value


@dataclass(frozen=True)
class PageParams:
    """The validated paging parameters of a list request."""

    limit: int
    after: list[Any] | None  # the sort key to continue after, or None for the first page


async def page_params(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page (max 500)")] = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(max_length=512, description="`next_cursor` of the previous page")] = None,
) -> PageParams:
    """FastAPI dependency for `?limit=&cursor=` (a coroutine: FastAPI would run a plain function in a thread)."""
    return PageParams(limit=limit, after=decode_cursor(cursor) if cursor else None)


PageDep = Annotated[PageParams, Depends(page_params)]


def make_page(rows: Sequence[T], params: PageParams, key: Any) -> tuple[list[T], str | None]:
    """Trim a `limit + 1` fetch to `limit` items and the cursor for the next page (`key(row)` -> sort key)."""
    items = list(rows[: params.limit])
    if len(rows) > params.limit and items:
        return items, encode_cursor(key(items[-1]))
    return items, None
