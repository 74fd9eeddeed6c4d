"""Buffered calls to one of our own services over pooled HTTP/1.1 keep-alive connections, parsed by httptools.

Every public request the gateway forwards is one call to the registry or scoring. aiohttp's general-purpose client
spent about 90 us of CPU on each such call; this pool spends about 10 (python -m tests.gateway.perf_transport
compares the clients; python -m tests.perf gateway measures the whole hop). It speaks only what our services
(uvicorn) answer: status, headers and a body framed by Content-Length or chunked encoding, on connections kept alive
between calls. Anything else (a streamed request body, a HEAD, https) goes through aiohttp, by ServiceClient.

Failures are httpx's exceptions, so ServiceClient treats every transport alike: ConnectError and ConnectTimeout
(nothing was sent), PoolTimeout, ReadTimeout (no byte for `read_timeout` seconds), RemoteProtocolError (the answer
was cut off or malformed). A connection is reused only after a complete answer that allows it; any failure or
cancellation closes it.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Mapping
from typing import cast

import httptools
import httpx

RawHeaders = list[tuple[bytes, bytes]]
_OWN_HEADERS = frozenset({"host", "content-length", "transfer-encoding", "connection"})


class _Connection(asyncio.Protocol):
    """One keep-alive connection: sends a request, parses its answer, then waits for the next."""

    def __init__(self, read_timeout: float) -> None:
        self._read_timeout = read_timeout
        self._parser = httptools.HttpResponseParser(self)
        self._transport: asyncio.Transport | None = None
        self._waiter: asyncio.Future[tuple[int, RawHeaders, bytes]] | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._last_read = 0.0  # loop time of the last bytes in: the timer re-arms itself from it (see _timed_out)
        self._headers: RawHeaders = []
        self._body: list[bytes] = []
        self.closed = False
        self.reusable = False
        self.idle_since = 0.0  # loop time it went back to the pool

    # asyncio.Protocol
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)  # uvloop's are not asyncio.Transport subclasses

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self._fail(httpx.RemoteProtocolError("The connection closed before the answer was complete."))

    def data_received(self, data: bytes) -> None:
        if self._waiter is None or self._waiter.done():
            self.close()  # bytes nobody asked for: the connection cannot be trusted any more
            return
        self._last_read = asyncio.get_running_loop().time()
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self._fail(httpx.RemoteProtocolError(f"The answer is not valid HTTP/1.1: {exc}"))
            self.close()

    # httptools callbacks
    def on_header(self, name: bytes, value: bytes) -> None:
        self._headers.append((name, value))

    def on_body(self, body: bytes) -> None:
        self._body.append(body)

    def on_message_complete(self) -> None:
        self._cancel_timer()
        self.reusable = self._parser.should_keep_alive()
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result((self._parser.get_status_code(), self._headers, b"".join(self._body)))

    async def exchange(self, request: bytes) -> tuple[int, RawHeaders, bytes]:
        """Send one request; its status, raw headers and body."""
        assert self._transport is not None
        self._waiter = asyncio.get_running_loop().create_future()
        self._headers, self._body, self.reusable = [], [], False
        self._transport.write(request)
        self._arm_timer()
        return await self._waiter

    def close(self) -> None:
        """Close at once (a failed or abandoned exchange leaves nothing to reuse)."""
        self.closed = True
        self._cancel_timer()
        if self._transport is not None:
            self._transport.close()

    def _fail(self, error: Exception) -> None:
        self._cancel_timer()
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_exception(error)

    def _arm_timer(self) -> None:
        # One timer per exchange, not one per chunk read: when it fires it looks at the last read and waits
        # again for the rest of the timeout if bytes came in meanwhile.
        self._cancel_timer()
        loop = asyncio.get_running_loop()
        self._last_read = loop.time()
        self._timer = loop.call_at(self._last_read + self._read_timeout, self._timed_out)

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _timed_out(self) -> None:
        deadline = self._last_read + self._read_timeout
        loop = asyncio.get_running_loop()
        if loop.time() < deadline:
            self._timer = loop.call_at(deadline, self._timed_out)
            return
        self._timer = None
        self._fail(httpx.ReadTimeout("No answer within the read timeout."))
        self.close()


class Http1Pool:
    """Up to `max_connections` keep-alive connections to one host and port."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        max_connections: int,
        connect_timeout: float,
        read_timeout: float,
        pool_timeout: float | None = None,
        idle_seconds: float = 4.0,
    ) -> None:
        self._host, self._port = host, port
        self._host_header = f"host: {host}:{port}\r\n"
        self._connect_timeout, self._read_timeout = connect_timeout, read_timeout
        self._pool_timeout = connect_timeout if pool_timeout is None else pool_timeout
        # uvicorn closes a connection idle for 5 s (its timeout_keep_alive): one idle nearly that long is dropped
        # rather than reused, so a request is not written just as the server closes it.
        self._idle_seconds = idle_seconds
        # Free connection slots, and callers waiting for one in arrival order (asyncio.Semaphore would do, but
        # its acquire scans its waiters on every call in Python 3.11).
        self._free = max_connections
        self._waiting: deque[asyncio.Future[None]] = deque()
        self._idle: deque[_Connection] = deque()

    async def request(
        self, method: str, target: str, headers: Mapping[str, str], body: bytes | None = None
    ) -> tuple[int, RawHeaders, bytes]:
        """One call: `target` is the path and query as they go on the request line."""
        head = self._head(method, target, headers, body)
        if self._free > 0 and not self._waiting:
            self._free -= 1
        else:
            await self._wait_for_slot()
        connection: _Connection | None = None
        try:
            connection = await self._connection()
            answer = await connection.exchange(head + body if body else head)
            if connection.reusable and not connection.closed:
                connection.idle_since = asyncio.get_running_loop().time()
                self._idle.append(connection)
                connection = None
            return answer
        finally:
            if connection is not None:
                connection.close()
            self._release_slot()

    async def aclose(self) -> None:
        """Close the idle connections."""
        while self._idle:
            self._idle.pop().close()

    async def _wait_for_slot(self) -> None:
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append(waiter)
        try:
            async with asyncio.timeout(self._pool_timeout):
                await waiter
        except BaseException as exc:
            if waiter.done() and not waiter.cancelled():
                self._release_slot()  # handed a slot in the same instant it gave up: pass it on
            else:
                waiter.cancel()
                self._waiting.remove(waiter)
            if isinstance(exc, TimeoutError):
                raise httpx.PoolTimeout("No free connection to the service in time.") from exc
            raise

    def _release_slot(self) -> None:
        while self._waiting:
            waiter = self._waiting.popleft()
            if not waiter.done():  # a caller that gave up has a cancelled waiter
                waiter.set_result(None)  # the slot goes straight to the longest waiting caller
                return
        self._free += 1

    async def _connection(self) -> _Connection:
        loop = asyncio.get_running_loop()
        while self._idle:
            connection = self._idle.pop()  # the most recently used: the least likely to have timed out
            if not connection.closed and loop.time() - connection.idle_since < self._idle_seconds:
                return connection
            connection.close()
        try:
            async with asyncio.timeout(self._connect_timeout):
                _, protocol = await loop.create_connection(
                    lambda: _Connection(self._read_timeout), self._host, self._port
                )
        except TimeoutError as exc:
            raise httpx.ConnectTimeout(f"No connection to {self._host}:{self._port} in time.") from exc
        except OSError as exc:
            raise httpx.ConnectError(f"Cannot connect to {self._host}:{self._port}: {exc.strerror}") from exc
        return protocol

    def _head(self, method: str, target: str, headers: Mapping[str, str], body: bytes | None) -> bytes:
        lines = [f"{method} {target} HTTP/1.1\r\n", self._host_header]
        for name, value in headers.items():
            if name.lower() not in _OWN_HEADERS:
                lines.append(f"{name}: {value}\r\n")
        if body is not None or method in ("POST", "PUT", "PATCH"):
            lines.append(f"content-length: {len(body or b'')}\r\n")
        lines.append("\r\n")
        head = "".join(lines)
        # The request line and headers end at the blank line: a CR or LF inside a value would start another
        # header or request (no caller's value may carry one; uvicorn refuses them on the way in as well).
        if head.count("\n") != len(lines) or head.count("\r") != len(lines) or " " in target:
            raise httpx.LocalProtocolError("A request line or header value holds a space, CR or LF.")
        return head.encode("latin-1")
