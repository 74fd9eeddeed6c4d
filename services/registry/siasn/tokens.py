"""The two SIASN tokens of one agency: fetched once, cached until shortly before expiry, refreshed on 401.

Concurrent callers share one fetch (a lock), and a refresh after a 401 replaces only the token that was
refused, so a burst of 401s from calls made with the same token costs one token request."""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

Fetch = Callable[[], Awaitable[tuple[str, float]]]  # -> (token, lifetime in seconds)


class SiasnError(Exception):
    """A SIASN call that failed; the message names the endpoint and status, never a NIP or a secret."""


class SiasnAuthError(SiasnError):
    """BKN refused the agency's credentials or tokens (the sync cannot go on)."""


class SiasnUnavailable(SiasnError):
    """SIASN kept failing (5xx, 429, timeouts) after the bounded retries."""


@dataclass(frozen=True)
class Credentials:
    """One agency's SIASN credentials, decrypted for the life of a sync; never logged (no repr of values)."""

    consumer_key: str
    consumer_secret: str
    sso_client_id: str | None = None
    sso_username: str | None = None
    sso_password: str | None = None
    sso_token: str | None = None  # a pre-issued SSO token instead of the password grant

    def __repr__(self) -> str:
        return "Credentials(<hidden>)"

    __str__ = __repr__


class TokenCache:
    """One token: fetched on first use, reused until `margin` seconds before it expires."""

    def __init__(self, fetch: Fetch, margin: float, *, refreshable: bool = True) -> None:
        self._fetch = fetch
        self._margin = margin
        self._refreshable = refreshable
        self._token: str | None = None
        self._expires = 0.0
        self._lock = asyncio.Lock()

    async def get(self) -> str:
        """A token that is not about to expire."""
        if self._token is not None and time.monotonic() < self._expires:
            return self._token
        async with self._lock:
            if self._token is None or time.monotonic() >= self._expires:
                await self._renew()
            assert self._token is not None
            return self._token

    async def refresh(self, refused: str) -> None:
        """Replace `refused` (a 401 answered it), unless another caller already did."""
        async with self._lock:
            if self._token != refused:
                return
            if not self._refreshable:
                raise SiasnAuthError("SIASN refused the pre-issued SSO token; set a new one or a username and password")
            await self._renew()

    async def _renew(self) -> None:
        token, lifetime = await self._fetch()
        self._token = token
        # A token living less than twice the margin is used for half its life instead.
        usable = lifetime - self._margin if lifetime > 2 * self._margin else lifetime / 2
        self._expires = time.monotonic() + usable if math.isfinite(usable) else math.inf
