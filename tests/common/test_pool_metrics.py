"""Database pool use on /metrics, read at scrape time: the engine's pool and a driver pool beside it."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import httpx
from fastapi import FastAPI

from services.common.app import create_service_app
from services.common.db import create_database_engine
from services.common.settings import ServiceSettings
from tests.conftest import POSTGRES_URL, require_postgres


def build_app(settings: ServiceSettings) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.engine = create_database_engine(settings)
        app.state.read_pool = await asyncpg.create_pool(POSTGRES_URL, min_size=1, max_size=4)
        try:
            yield
        finally:
            await app.state.read_pool.close()
            await app.state.engine.dispose()

    return create_service_app(
        settings=settings, title="t", description="d", lifespan=lifespan, routers=[], readiness_checks={}
    )


def gauge(text: str, name: str, **labels: str) -> float:
    wanted = ",".join(f'{k}="{v}"' for k, v in labels.items())
    match = re.search(rf"^{name}{{{re.escape(wanted)}}} (\S+)$", text, re.MULTILINE)
    assert match, f"{name}{{{wanted}}} not in the exposition"
    return float(match.group(1))


async def test_pool_use_follows_checkouts() -> None:
    await require_postgres()
    url = POSTGRES_URL.replace("postgresql://", "postgresql+asyncpg://", 1)
    app = build_app(ServiceSettings(service_name="demo", database_url=url, db_pool_size=3, db_max_overflow=2))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://test") as client,
    ):
        before = (await client.get("/metrics")).text
        assert gauge(before, "db_pool_max_connections", pool="engine") == 5
        assert gauge(before, "db_pool_connections", pool="engine", state="in_use") == 0
        assert gauge(before, "db_pool_max_connections", pool="read") == 4
        async with app.state.engine.connect() as one, app.state.engine.connect() as two:
            await one.exec_driver_sql("SELECT 1")
            await two.exec_driver_sql("SELECT 1")
            async with app.state.read_pool.acquire():
                during = (await client.get("/metrics")).text
        assert gauge(during, "db_pool_connections", pool="engine", state="in_use") == 2
        assert gauge(during, "db_pool_connections", pool="read", state="in_use") == 1
        after = (await client.get("/metrics")).text
        assert gauge(after, "db_pool_connections", pool="engine", state="in_use") == 0
        assert gauge(after, "db_pool_connections", pool="engine", state="idle") == 2
        assert gauge(after, "db_pool_connections", pool="read", state="in_use") == 0


async def test_no_pool_no_samples() -> None:
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield

    app = create_service_app(
        settings=ServiceSettings(service_name="demo"),
        title="t",
        description="d",
        lifespan=lifespan,
        routers=[],
        readiness_checks={},
    )
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://test") as client:
        text = (await client.get("/metrics")).text
    assert "# TYPE db_pool_connections gauge" in text
    assert "db_pool_connections{" not in text
