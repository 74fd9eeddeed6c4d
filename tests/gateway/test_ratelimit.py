"""Per-principal token buckets: 429 with Retry-After, in memory and shared through Redis."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest
import redis.asyncio as aioredis

from services.gateway.ratelimit.limiter import MemoryRateLimiter, RedisRateLimiter
from tests.gateway.conftest import Accounts, bearer, password_token, running, settings_for

REDIS_URL = "redis://127.0.0.1:6379/15"


async def _redis_available() -> bool:
    client = aioredis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        await client.ping()
        return True
    except OSError:
        return False
    except aioredis.RedisError:
        return False
    finally:
        await client.aclose()


async def _statuses(client: httpx.AsyncClient, token: str, n: int) -> list[httpx.Response]:
    return [await client.get("/api/v1/me", headers=bearer(token)) for _ in range(n)]


async def test_memory_limit_answers_429_with_retry_after(gateway_db: str, stubs: dict[str, Any]) -> None:
    settings = settings_for(gateway_db, stubs, rate_limit_per_second=0.5, rate_limit_burst=3)
    async with running(settings) as (app, client):
        token = (await password_token(client, await Accounts(app).user(["viewer"])))["access_token"]
        other = (await password_token(client, await Accounts(app).user(["viewer"])))["access_token"]
        responses = await _statuses(client, token, 4)
        assert [r.status_code for r in responses] == [200, 200, 200, 429]
        limited = responses[-1]
        assert limited.headers["content-type"] == "application/problem+json"
        assert limited.json()["code"] == "rate_limited"
        assert int(limited.headers["retry-after"]) >= 1
        # Buckets are per principal: another account is unaffected.
        assert (await client.get("/api/v1/me", headers=bearer(other))).status_code == 200


async def test_memory_bucket_refills() -> None:
    limiter = MemoryRateLimiter()
    assert [await limiter.take("k", 20.0, 2) for _ in range(2)] == [0.0, 0.0]
    wait = await limiter.take("k", 20.0, 2)
    assert 0 < wait <= 0.05
    await asyncio.sleep(wait + 0.01)
    assert await limiter.take("k", 20.0, 2) == 0.0
    assert await limiter.take("peek", 1.0, 1, cost=0) == 0.0  # asking spends nothing


async def test_redis_limit_is_shared_by_replicas(gateway_db: str, stubs: dict[str, Any]) -> None:
    if not await _redis_available():
        pytest.skip("Redis unreachable at 127.0.0.1:6379")
    settings = settings_for(gateway_db, stubs, rate_limit_per_second=0.5, rate_limit_burst=3, redis_url=REDIS_URL)
    async with running(settings) as (app, replica_a), running(settings) as (_, replica_b):
        token = (await password_token(replica_a, await Accounts(app).user(["viewer"])))["access_token"]
        a = await _statuses(replica_a, token, 2)
        b = await _statuses(replica_b, token, 2)
        assert [r.status_code for r in a + b] == [200, 200, 200, 429]
        assert int(b[-1].headers["retry-after"]) >= 1


async def test_redis_script_refills_and_peeks() -> None:
    if not await _redis_available():
        pytest.skip("Redis unreachable at 127.0.0.1:6379")
    limiter = RedisRateLimiter(REDIS_URL)
    key = uuid.uuid4().hex
    try:
        assert [await limiter.take(key, 20.0, 2) for _ in range(2)] == [0.0, 0.0]
        wait = await limiter.take(key, 20.0, 2)
        assert 0 < wait <= 0.06
        assert await limiter.take(key, 20.0, 2, cost=0) > 0
        await asyncio.sleep(wait + 0.02)
        assert await limiter.take(key, 20.0, 2) == 0.0
    finally:
        await limiter.aclose()


async def test_redis_down_fails_open() -> None:
    limiter = RedisRateLimiter("redis://127.0.0.1:1/0")
    try:
        assert await limiter.take("k", 1.0, 1) == 0.0
    finally:
        await limiter.aclose()
