"""Cursor paging and If-Match preconditions."""

from __future__ import annotations

import pytest

from services.common.errors import PreconditionFailed, PreconditionRequired, ValidationFailed
from services.common.etag import make_etag, require_if_match
from services.common.pagination import PageParams, decode_cursor, encode_cursor, make_page


def test_cursor_round_trip() -> None:
    key = ["198609262015051001", 3]
    assert decode_cursor(encode_cursor(key)) == key


@pytest.mark.parametrize("garbage", ["%%%", "bm90IGpzb24", "eyJhIjoxfQ"])  # bad base64, not JSON, not a list
def test_foreign_cursor_is_422_naming_cursor(garbage: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        decode_cursor(garbage)
    assert caught.value.errors is not None
    assert caught.value.errors[0].loc == ["query", "cursor"]


def test_make_page_trims_and_points_at_last_item() -> None:
    rows = [1, 2, 3]
    items, cursor = make_page(rows, PageParams(limit=2, after=None), key=lambda r: [r])
    assert items == [1, 2]
    assert cursor is not None
    assert decode_cursor(cursor) == [2]
    items, cursor = make_page(rows[:2], PageParams(limit=2, after=None), key=lambda r: [r])
    assert cursor is None


def test_if_match_rules() -> None:
    with pytest.raises(PreconditionRequired):
        require_if_match(None, 3)
    with pytest.raises(PreconditionFailed):
        require_if_match(make_etag(2), 3)
    require_if_match(make_etag(3), 3)
    require_if_match(f"{make_etag(1)}, {make_etag(3)}", 3)
    require_if_match("*", 3)
