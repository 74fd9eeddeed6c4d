"""NUL characters refused at the door: PostgreSQL cannot store U+0000 in text, so it must never reach a query.

Checked for every route by a pure ASGI middleware: path and query parameters, and the strings and keys of a JSON
body, answering a 422 that names the field instead of the 500 the database's refusal would become. Only a request
that holds a NUL somewhere pays for finding its route (to name the path parameter, and to leave a 404 or 405 to
the app as before); the rest pay a substring test, and JSON bodies are read once and handed on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from urllib.parse import parse_qsl

import orjson
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.common.errors import ValidationFailed, invalid, problem_response

NUL = "\x00"
_MESSAGE = "must not contain NUL (U+0000) characters"
_ESCAPED_NUL = b"\\u0000"  # JSON can carry a NUL only as this escape


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


def _is_json(scope: Scope) -> bool:
    for key, value in scope.get("headers", ()):
        if key == b"content-type":
            return b"json" in value
    return False  # uploads (multipart) are checked by their readers, row by row


class RefuseNulMiddleware:
    """422 naming the first path, query or JSON body field that holds a NUL character."""

    def __init__(self, app: ASGIApp, routes: Callable[[], Iterable[BaseRoute]]) -> None:
        self.app = app
        self.routes = routes  # the app's own routes, consulted only for a request holding a NUL

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body: bytes | None = None
        if _is_json(scope):
            body, receive = await _read_body(receive)
        suspect = (
            NUL in scope["path"]
            or b"%00" in scope.get("query_string", b"")
            or (body is not None and _ESCAPED_NUL in body)
        )
        if suspect:
            error = self._error(scope, body)
            if error is not None:
                await problem_response(error.to_problem())(scope, receive, send)
                return
        await self.app(scope, receive, send)

    def _error(self, scope: Scope, body: bytes | None) -> ValidationFailed | None:
        path_params = self._path_params(scope)
        if path_params is None:
            return None  # no route takes this request: the app answers its 404 or 405
        for name, value in path_params.items():
            if NUL in str(value):
                return invalid(["path", name], _MESSAGE)
        query = scope.get("query_string", b"").decode("latin-1")
        for name, value in parse_qsl(query, keep_blank_values=True):
            if NUL in name or NUL in value:
                return invalid(["query", name.replace(NUL, "\\u0000")], _MESSAGE)
        if body is None or _ESCAPED_NUL not in body:
            return None
        try:
            document = orjson.loads(body)
        except orjson.JSONDecodeError:
            return None  # the route's own parsing answers the 422
        for loc in _nul_in(document, ["body"]):
            return invalid(loc, _MESSAGE)
        return None

    def _path_params(self, scope: Scope) -> dict[str, object] | None:
        for route in self.routes():
            match, child_scope = route.matches(scope)
            if match is Match.FULL:
                params: dict[str, object] = child_scope.get("path_params", {})
                return params
        return None


async def _read_body(receive: Receive) -> tuple[bytes, Receive]:
    """The whole body (bounded by the body-limit middleware around this one), and a receive that replays it."""
    chunks: list[bytes] = []
    pending: Message | None = None
    while True:
        message = await receive()
        if message["type"] != "http.request":
            pending = message  # the client went away while sending
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    body = b"".join(chunks)
    return body, _replay(body, pending, receive)


def _replay(body: bytes, pending: Message | None, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            if pending is not None:  # the client went away while sending: say so, as the server would
                return pending
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
