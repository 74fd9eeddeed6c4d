"""Pure ASGI middleware: request id, access log, metrics and request body limits for every service."""

from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.common.errors import PayloadTooLarge, problem_response
from services.common.logging import reset_request_id, set_request_id
from services.common.metrics import Metrics

REQUEST_ID_HEADER = b"x-request-id"
_VALID_REQUEST_ID = re.compile(rb"^[A-Za-z0-9._:\-]{1,128}$")
access_logger = logging.getLogger("talenta.access")


def _route_template(scope: Scope) -> str:
    # The template (`/v1/employees/{nip}`), never the raw path: raw paths carry NIPs (personal data).
    route = scope.get("route")
    path = getattr(route, "path", None)
    return str(path) if path else "unmatched"


class RequestContextMiddleware:
    """Binds `X-Request-ID` (echoed or generated), then logs and measures each request by route."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = self._request_id(scope)
        token = set_request_id(request_id)
        started = time.perf_counter()
        status = 500
        self.metrics.in_flight.inc()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != REQUEST_ID_HEADER]
                headers.append((REQUEST_ID_HEADER, request_id.encode()))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            self.metrics.in_flight.dec()
            route = _route_template(scope)
            self.metrics.observe(scope["method"], route, status, elapsed)
            if route not in ("/healthz", "/readyz", "/metrics"):
                access_logger.info(
                    "request",
                    extra={
                        "method": scope["method"],
                        "route": route,
                        "status": status,
                        "duration_ms": round(elapsed * 1000, 2),
                    },
                )
            reset_request_id(token)

    @staticmethod
    def _request_id(scope: Scope) -> str:
        for key, value in scope.get("headers", ()):
            if key == REQUEST_ID_HEADER and _VALID_REQUEST_ID.match(value):
                return bytes(value).decode()
        return os.urandom(16).hex()  # 128 random bits, as uuid4().hex, without building a UUID


class BodyLimitMiddleware:
    """Answers 413 problem+json for a body over the limit, by Content-Length or while it streams in."""

    def __init__(self, app: ASGIApp, limit_for: Callable[[str], int], uploads: frozenset[str] = frozenset()) -> None:
        self.app = app
        self.limit_for = limit_for
        self.uploads = uploads  # paths whose body is a file: over the limit is `import_too_large`, as documented

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        has_body = False
        for key, value in scope.get("headers", ()):
            if key == b"content-length":
                if value.isdigit() and int(value) > limit:
                    await self._reject(limit, scope, receive, send)
                    return
                has_body = True
            elif key == b"transfer-encoding":
                has_body = True
        if not has_body and scope.get("http_version") in ("1.0", "1.1"):
            # HTTP/1.x: a request with neither header has no body (RFC 9112 6.3), so there is nothing to count.
            # HTTP/2 may send a body without them, so it is always counted.
            await self.app(scope, receive, send)
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _BodyTooLarge(f"The request body is larger than the limit of {limit} bytes.")
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except _BodyTooLarge:
            if not started:
                await self._reject(limit, scope, receive, send)

    async def _reject(self, limit: int, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["path"] in self.uploads:
            err = PayloadTooLarge(
                f"The upload is larger than the limit of {limit} bytes; split it.", code="import_too_large"
            )
        else:
            err = PayloadTooLarge(f"The request body is larger than the limit of {limit} bytes.")
        await problem_response(err.to_problem())(scope, receive, send)


class _BodyTooLarge(PayloadTooLarge):
    """Raised while reading the body; the app's error handler renders it as a 413."""
