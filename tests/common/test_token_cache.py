"""The verified-token cache of get_caller: a token seen before is not verified again until it expires."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from fastapi import APIRouter, FastAPI

from services.common import service_token
from services.common.app import create_service_app
from services.common.service_token import Caller, CallerIdentity, VerifiedTokens, mint_service_token
from services.common.settings import ServiceSettings

SECRET = "cache-test-secret-0123456789abcdef-0123"
WHO = CallerIdentity(service="gateway", subject="user:a", agency_id="a", roles=("agency_admin",))


def build_app() -> FastAPI:
    router = APIRouter()

    @router.get("/who")
    async def who(caller: Caller) -> dict[str, str | None]:
        return {"subject": caller.subject, "agency": caller.agency_id}

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield

    settings = ServiceSettings(service_name="registry", service_token_secret=SECRET, log_format="text")
    return create_service_app(
        settings=settings, title="t", description="d", lifespan=lifespan, routers=[router], readiness_checks={}
    )


async def test_a_token_is_verified_once_then_served_from_the_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    app = build_app()
    calls = 0
    real = service_token._verified_claims

    def counting(*args: object, **kwargs: object) -> dict[str, object]:
        nonlocal calls
        calls += 1
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(service_token, "_verified_claims", counting)
    token = mint_service_token(SECRET, "gateway", "registry", WHO)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://t") as client:
        for _ in range(3):
            response = await client.get("/who", headers={"Authorization": f"Bearer {token}"})
            assert response.json() == {"subject": "user:a", "agency": "a"}
        assert calls == 1
        tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
        refused = await client.get("/who", headers={"Authorization": f"Bearer {tampered}"})
        assert refused.status_code == 401
        other_audience = mint_service_token(SECRET, "gateway", "scoring", WHO)
        assert (await client.get("/who", headers={"Authorization": f"Bearer {other_audience}"})).status_code == 401


def test_cache_entries_expire_and_the_cache_stays_bounded() -> None:
    cache = VerifiedTokens(max_entries=2)
    cache.put("t1", WHO, time.time() + 60)
    cache.put("t2", WHO, time.time() - 1)  # already expired
    assert cache.get("t1") == WHO
    assert cache.get("t2") is None
    cache.put("t3", WHO, time.time() + 60)
    cache.put("t4", WHO, time.time() + 60)  # over the bound: the cache starts again
    assert cache.get("t4") == WHO
    assert cache.get("t1") is None


async def test_a_cached_token_is_refused_once_it_expires() -> None:
    app = build_app()
    token = mint_service_token(SECRET, "gateway", "registry", WHO, ttl=2)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://t") as client:
        assert (await client.get("/who", headers={"Authorization": f"Bearer {token}"})).status_code == 200
        assert app.state.verified_tokens.get(token) == WHO
        await asyncio.sleep(3.1)
        assert (await client.get("/who", headers={"Authorization": f"Bearer {token}"})).status_code == 401
