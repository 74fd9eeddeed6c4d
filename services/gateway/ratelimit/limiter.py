"""Token buckets: per-principal request limits and the token endpoint's failure budget.

In memory by default (one replica); in Redis when `GATEWAY_REDIS_URL` is set, with one atomic Lua
script per decision, so that every replica draws from the same buckets.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Protocol

import redis.asyncio as aioredis
from redis.exceptions import RedisError

logger = logging.getLogger("talenta.gateway.ratelimit")


class RateLimiter(Protocol):
    """A token-bucket store."""

    async def take(self, key: str, rate: float, burst: int, cost: float = 1.0) -> float:
        """Spend `cost` tokens; answer 0 when allowed, else the seconds until it would be (nothing spent).

        `cost=0` only asks whether a whole token is available (used before checking a password)."""
        ...

    async def aclose(self) -> None:
        """Release connections."""
        ...


def _decide(tokens: float, rate: float, cost: float) -> tuple[float, float]:
    need = max(cost, 1.0)
    if tokens >= need:
        return tokens - cost, 0.0
    return tokens, (need - tokens) / rate


class MemoryRateLimiter:
    """Buckets in this process's memory."""

    def __init__(self, max_keys: int = 100_000) -> None:
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, updated monotonic)
        self._max_keys = max_keys

    async def take(self, key: str, rate: float, burst: int, cost: float = 1.0) -> float:
        """See RateLimiter.take."""
        now = time.monotonic()
        tokens, updated = self._buckets.get(key, (float(burst), now))
        tokens = min(float(burst), tokens + (now - updated) * rate)
        tokens, wait = _decide(tokens, rate, cost)
        if len(self._buckets) >= self._max_keys and key not in self._buckets:
            self._evict_full(now, rate, burst)
        self._buckets[key] = (tokens, now)
        return wait

    def _evict_full(self, now: float, rate: float, burst: int) -> None:
        # A bucket that has refilled is indistinguishable from a missing one: drop those first.
        self._buckets = {k: v for k, v in self._buckets.items() if v[0] + (now - v[1]) * rate < burst}
        if len(self._buckets) >= self._max_keys:
            self._buckets.clear()

    async def aclose(self) -> None:
        """Nothing to release."""


# KEYS[1] bucket; ARGV rate, burst, cost. Redis's own clock, so replicas with skewed clocks agree.
_TAKE_SCRIPT = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local v = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(v[1])
local ts = tonumber(v[2])
if tokens == nil then tokens = burst; ts = now end
tokens = math.min(burst, tokens + math.max(0, now - ts) * rate)
local need = math.max(cost, 1)
local wait = 0
if tokens >= need then tokens = tokens - cost else wait = (need - tokens) / rate end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return tostring(wait)
"""


class RedisRateLimiter:
    """Buckets in Redis, shared by every gateway replica."""

    def __init__(self, url: str, prefix: str = "talenta:gw:rl:") -> None:
        self._redis: Any = aioredis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self._script = self._redis.register_script(_TAKE_SCRIPT)
        self._prefix = prefix

    async def take(self, key: str, rate: float, burst: int, cost: float = 1.0) -> float:
        """See RateLimiter.take."""
        try:
            result = await self._script(keys=[self._prefix + key], args=[rate, burst, cost])
        except (RedisError, OSError) as exc:
            # Limits protect capacity; losing Redis must not take the API down with it (fail open, loudly).
            logger.warning("rate limiter unavailable", extra={"error": type(exc).__name__})
            return 0.0
        return float(result)

    async def ping(self) -> None:
        """Raise unless Redis answers (readiness)."""
        await self._redis.ping()

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._redis.aclose()


def create_rate_limiter(redis_url: str | None) -> MemoryRateLimiter | RedisRateLimiter:
    """Redis-backed when a URL is configured, else in memory."""
    return RedisRateLimiter(redis_url) if redis_url else MemoryRateLimiter()
