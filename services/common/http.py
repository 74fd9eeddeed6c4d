"""Clients for internal calls: pooled, with timeouts, retries on idempotent calls and a circuit breaker.

A dead service answers a fast 503 problem, a slow one a 504, never a hung request. Every call carries
the request id and a short-lived service token naming the end principal.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import AsyncIterator, Iterable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

import aiohttp
import httpx
import orjson
from httpx_aiohttp import AiohttpTransport
from httpx_aiohttp.transport import map_aiohttp_exceptions

from services.common.errors import GatewayTimeout, ServiceUnavailable
from services.common.http1 import Http1Pool
from services.common.logging import current_request_id
from services.common.service_token import CallerIdentity, mint_service_token
from services.common.tracing import inject_trace_headers

logger = logging.getLogger("talenta.http")
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
RETRY_STATUSES = frozenset({502, 503})
# Answers that say the service cannot serve (the breaker counts them); a 500 is a bug in one request, and
# counting it would let one client's bad input switch a healthy service off for everyone.
UNAVAILABLE_STATUSES = frozenset({502, 503, 504})


@dataclass(frozen=True)
class ClientOptions:
    """How one internal client behaves; every number is a setting of the calling service."""

    base_url: str
    connect_timeout: float = 1.0
    read_timeout: float = 10.0
    retries: int = 2
    backoff_seconds: float = 0.05
    breaker_failures: int = 5
    breaker_reset_seconds: float = 5.0
    max_connections: int = 100
    transport: Literal["httpx", "aiohttp", "http1"] = "httpx"


class CircuitBreaker:
    """Opens after `threshold` consecutive failures; while open, calls fail at once; then one trial."""

    def __init__(self, threshold: int, reset_seconds: float) -> None:
        self.threshold = threshold
        self.reset_seconds = reset_seconds
        self.failures = 0
        self.open_until = 0.0

    def check(self, service: str) -> None:
        """Raise a fast 503 while the breaker is open."""
        if self.failures >= self.threshold and time.monotonic() < self.open_until:
            raise ServiceUnavailable(
                f"The {service} service is unavailable; retry shortly.",
                code="upstream_unavailable",
                headers={"Retry-After": "5"},
            )

    def record(self, ok: bool) -> None:
        """Count a call's outcome; a success closes the breaker."""
        if ok:
            self.failures = 0
            return
        self.failures += 1
        if self.failures >= self.threshold:
            self.open_until = time.monotonic() + self.reset_seconds


@dataclass(frozen=True)
class Answer:
    """A downstream's whole answer: status, headers (lower-case names, a repeated one joined by ", " as httpx
    does) and body. Plain data: building an httpx.Response for each call cost the gateway ~8% of a GET."""

    status_code: int
    headers: Mapping[str, str]
    content: bytes

    def json(self) -> Any:
        """The body as JSON."""
        return orjson.loads(self.content)

    @classmethod
    def from_httpx(cls, response: httpx.Response) -> Answer:
        """The answer of an httpx call (the httpx transport, or an app in-process in tests)."""
        return cls(response.status_code, dict(response.headers.items()), response.content)

    @classmethod
    def from_raw(cls, status: int, raw_headers: Iterable[tuple[bytes, bytes]], content: bytes) -> Answer:
        """The answer of a call made with aiohttp, from the raw header lines."""
        headers: dict[str, str] = {}
        for raw_name, raw_value in raw_headers:
            name, value = raw_name.decode("latin-1").lower(), raw_value.decode("latin-1")
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        return cls(status, headers, content)


def _is_relative(path: str) -> bool:
    """A path on the service (`/v1/...`), not an absolute or scheme-relative URL."""
    return path.startswith("/") and not path.startswith("//")


class _NoCookies(httpx.Cookies):
    """A cookie jar that keeps nothing: internal calls act for many principals, so a cookie one answer
    sets must never ride on another's call (and httpx's parsing of every answer for them costs ~12 us)."""

    def extract_cookies(self, response: httpx.Response) -> None:
        """Keep no cookie of an internal answer."""


class ServiceClient:
    """An HTTP client for one internal service, created in a lifespan and closed with it."""

    def __init__(
        self,
        name: str,
        options: ClientOptions,
        *,
        token_secret: str,
        issuer: str,
        token_ttl: int = 60,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.name = name
        self.options = options
        self._secret = token_secret
        self._issuer = issuer
        self._token_ttl = token_ttl
        self._tokens: dict[CallerIdentity, tuple[str, float]] = {}
        self.breaker = CircuitBreaker(options.breaker_failures, options.breaker_reset_seconds)
        timeout = httpx.Timeout(options.read_timeout, connect=options.connect_timeout)
        limits = httpx.Limits(
            max_connections=options.max_connections, max_keepalive_connections=options.max_connections
        )
        # An explicit transport (tests: httpx.ASGITransport over a real app) wins over the configured one.
        # With aiohttp, one aiohttp session holds the pool: `request` (every buffered call, the hot path) sends
        # through it directly, and httpx (`stream`, `http`) uses it as its transport. With http1, a buffered call
        # to a plain-http service goes through services.common.http1's pool instead, everything else as with aiohttp.
        self._direct = transport is None and options.transport in ("aiohttp", "http1")
        base = urlsplit(options.base_url)
        self._pool: Http1Pool | None = None
        if self._direct and options.transport == "http1" and base.scheme == "http" and base.hostname:
            self._pool = Http1Pool(
                base.hostname, base.port or 80, max_connections=options.max_connections,
                connect_timeout=options.connect_timeout, read_timeout=options.read_timeout,
                pool_timeout=options.read_timeout,  # as long as aiohttp waits for a free connection
            )  # fmt: skip
        self._prefix = base.path.rstrip("/")
        self._session: aiohttp.ClientSession | None = None  # made on first use, inside the event loop
        # The timeouts httpx_aiohttp derives from httpx.Timeout: connect, each read, and waiting for the pool.
        self._session_timeout = aiohttp.ClientTimeout(
            sock_connect=options.connect_timeout, sock_read=options.read_timeout, connect=options.read_timeout
        )
        if self._direct:
            transport = AiohttpTransport(limits=limits, client=self._aiohttp_session)
        self.http = httpx.AsyncClient(base_url=options.base_url, timeout=timeout, limits=limits, transport=transport)
        self.http._cookies = _NoCookies()  # the public setter would copy it into an ordinary jar
        self._base = str(self.http.base_url).rstrip("/")

    def _aiohttp_session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self.options.max_connections),
                cookie_jar=aiohttp.DummyCookieJar(),  # internal calls act for many principals: keep no cookie
            )
        return self._session

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self.http.aclose()  # closes the aiohttp session too, when it is the transport's
        if self._pool is not None:
            await self._pool.aclose()
        if self._session is not None and not self._session.closed:
            await self._session.close()

    def _token(self, identity: CallerIdentity) -> str:
        # Signing costs microseconds, but one token per principal per half-TTL is enough.
        now = time.monotonic()
        cached = self._tokens.get(identity)
        if cached and cached[1] > now:
            return cached[0]
        if len(self._tokens) > 10_000:
            self._tokens.clear()
        token = mint_service_token(self._secret, self._issuer, self.name, identity, self._token_ttl)
        self._tokens[identity] = (token, now + self._token_ttl / 2)
        return token

    def _url(self, path: str) -> str:
        # httpx parses a relative path, then the URL it merges with the base again (67 us a request); one
        # absolute URL (the same one httpx would merge: base with a trailing slash, path without its leading one)
        # is parsed once (31 us).
        if not _is_relative(path):
            return path  # anything else is httpx's to read
        return self._base + "/" + path.lstrip("/")

    def _headers(self, identity: CallerIdentity, extra: Mapping[str, str] | None) -> dict[str, str]:
        headers = {"authorization": f"Bearer {self._token(identity)}"}
        request_id = current_request_id()
        if request_id:
            headers["x-request-id"] = request_id
        inject_trace_headers(headers)
        if extra:
            headers.update(extra)
        return headers

    async def request(
        self,
        method: str,
        path: str,
        *,
        identity: CallerIdentity,
        headers: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> Answer:
        """Send one call, answered whole; retried on connection failure (and on 502/503 when idempotent)."""
        method = method.upper()
        safe_to_resend = method in IDEMPOTENT_METHODS or bool(
            headers and "idempotency-key" in {k.lower() for k in headers}
        )
        url = self._url(path)
        attempt = 0
        while True:
            self.breaker.check(self.name)
            try:
                if self._direct:
                    response = await self._send(method, path, url, self._headers(identity, headers), **kwargs)
                else:
                    sent = await self.http.request(method, url, headers=self._headers(identity, headers), **kwargs)
                    response = Answer.from_httpx(sent)
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
                # Not delivered: safe to try again whatever the method.
                self.breaker.record(False)
                if attempt < self.options.retries:
                    attempt += 1
                    await self._backoff(attempt)
                    continue
                raise ServiceUnavailable(
                    f"The {self.name} service is unreachable.", code="upstream_unavailable"
                ) from exc
            except httpx.TimeoutException as exc:
                self.breaker.record(False)
                raise GatewayTimeout(
                    f"The {self.name} service did not answer in time.", code="upstream_timeout"
                ) from exc
            except httpx.TransportError as exc:
                self.breaker.record(False)
                if safe_to_resend and attempt < self.options.retries:
                    attempt += 1
                    await self._backoff(attempt)
                    continue
                raise ServiceUnavailable(
                    f"The connection to the {self.name} service failed.", code="upstream_unavailable"
                ) from exc
            if response.status_code in RETRY_STATUSES and safe_to_resend and attempt < self.options.retries:
                self.breaker.record(False)
                attempt += 1
                await self._backoff(attempt)
                continue
            self.breaker.record(response.status_code not in UNAVAILABLE_STATUSES)
            return response

    async def _send(
        self, method: str, path: str, url: str, headers: dict[str, str], *, content: Any = None, params: Any = None
    ) -> Answer:
        """One buffered call: through the HTTP/1.1 pool when it can carry it, else through aiohttp."""
        if (
            self._pool is not None
            and (content is None or isinstance(content, bytes))
            and (params is None or isinstance(params, str))
            and _is_relative(path)
            and method != "HEAD"  # an answer to HEAD has no body whatever its Content-Length says
        ):
            target = self._prefix + path
            if params:
                target = f"{target}?{params}"
            status, raw_headers, body = await self._pool.request(method, target, headers, content)
            return Answer.from_raw(status, raw_headers, body)
        return await self._send_aiohttp(method, url, headers, content=content, params=params)

    async def _send_aiohttp(
        self, method: str, url: str, headers: dict[str, str], *, content: Any = None, params: Any = None
    ) -> Answer:
        """One buffered call straight through the aiohttp session.

        What httpx_aiohttp does for httpx, without httpx building and parsing a Request (its URL parsing alone
        cost the gateway ~10% of a forwarded GET). aiohttp's errors become httpx's, so `request` treats both
        transports alike; the body comes as sent (no decompression), as with httpx_aiohttp."""
        if isinstance(params, str):  # a raw query string (the gateway forwards its caller's as it came)
            url, params = (f"{url}?{params}" if params else url), None  # aiohttp would quote its '%' again
        with map_aiohttp_exceptions():
            async with self._aiohttp_session().request(
                method, url, headers=headers, params=params, data=content, allow_redirects=False,
                auto_decompress=False, compress=False, timeout=self._session_timeout,
            ) as answer:  # fmt: skip
                body = await answer.read()
        return Answer.from_raw(answer.status, answer.raw_headers, body)

    @asynccontextmanager
    async def stream(
        self,
        method: str,
        path: str,
        *,
        identity: CallerIdentity,
        headers: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[httpx.Response]:
        """A streamed call (for large exports); no retry once bytes have started to flow."""
        self.breaker.check(self.name)
        try:
            async with self.http.stream(method, path, headers=self._headers(identity, headers), **kwargs) as resp:
                self.breaker.record(resp.status_code not in UNAVAILABLE_STATUSES)
                yield resp
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            self.breaker.record(False)
            raise ServiceUnavailable(f"The {self.name} service is unreachable.", code="upstream_unavailable") from exc
        except httpx.TimeoutException as exc:
            self.breaker.record(False)
            raise GatewayTimeout(f"The {self.name} service did not answer in time.", code="upstream_timeout") from exc

    async def _backoff(self, attempt: int) -> None:
        base = self.options.backoff_seconds * (2 ** (attempt - 1))
        await asyncio.sleep(base + random.uniform(0, base))  # noqa: S311 - jitter, not security
