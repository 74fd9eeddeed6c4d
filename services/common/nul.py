"""NUL characters refused at the door: PostgreSQL cannot store U+0000 in text, so it must never reach a query.

Checked once for every route (an app-level dependency): path and query parameters, and the strings and keys of a
JSON body, answering a 422 that names the field instead of the 500 the database's refusal would become.
"""

from __future__ import annotations

from collections.abc import Iterator

import orjson
from fastapi import Request

from services.common.errors import invalid

NUL = "\x00"
_MESSAGE = "must not contain NUL (U+0000) characters"


def _nul_in(value: object, loc: list[str | int]) -> Iterator[list[str | int]]:
    if isinstance(value, str):
        if NUL in value:
            yield loc
    elif isinstance(value, dict):
        for key, item in value.items():
            if NUL in key:
                yield [*loc, key.replace(NUL, "\\u0000")]
            yield from _nul_in(item, [*loc, key])
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _nul_in(item, [*loc, index])


async def refuse_nul_characters(request: Request) -> None:
    """422 naming the first path, query or JSON body field that holds a NUL character."""
    for name, value in request.path_params.items():
        if NUL in str(value):
            raise invalid(["path", name], _MESSAGE)
    for name, value in request.query_params.multi_items():
        if NUL in name or NUL in value:
            raise invalid(["query", name.replace(NUL, "\\u0000")], _MESSAGE)
    if "json" not in request.headers.get("content-type", ""):
        return  # uploads (multipart) are checked by their readers, row by row
    body = await request.body()  # cached: the route reads the same bytes
    if b"\\u0000" not in body:  # JSON can carry a NUL only as this escape
        return
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError:
        return  # the route's own parsing answers the 422
    for loc in _nul_in(document, ["body"]):
        raise invalid(loc, _MESSAGE)
