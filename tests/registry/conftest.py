"""Registry test fixtures: a PostgreSQL database built by the migrations, each test in a rolled-back transaction."""

from __future__ import annotations

import asyncio
import pathlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, async_sessionmaker, create_async_engine

from services.common.migrations import upgrade_to_head
from services.common.service_token import CallerIdentity, mint_service_token
from services.registry.app import create_app
from services.registry.settings import RegistrySettings
from tests.conftest import recreate_database

REGISTRY_DIR = pathlib.Path(__file__).resolve().parents[2] / "services" / "registry"
SECRET = "test-service-token-secret-0123456789abcdef"
NATIONAL = CallerIdentity(service="gateway", subject="user:national", roles=("national_admin",))


def agency_admin(agency_id: str, **kw: Any) -> CallerIdentity:
    """An agency_admin of `agency_id`."""
    return CallerIdentity(
        service="gateway", subject="user:admin-" + agency_id[:8], agency_id=agency_id, roles=("agency_admin",), **kw
    )


def employee_principal(agency_id: str, nip: str) -> CallerIdentity:
    """An employee account linked to `nip`."""
    return CallerIdentity(
        service="gateway", subject="user:emp-" + nip, agency_id=agency_id, roles=("employee",), nip=nip
    )


async def migrated_database(name: str) -> str:
    """A fresh PostgreSQL database `name` with the registry migrations applied; its URL."""
    url = await recreate_database(name)
    await asyncio.to_thread(upgrade_to_head, REGISTRY_DIR, url)
    return url


def settings_for(url: str) -> RegistrySettings:
    """Registry settings pointing at `url`."""
    return RegistrySettings(
        database_url=url, environment="test", log_format="text", log_level="WARNING", service_token_secret=SECRET
    )


@pytest.fixture(scope="session")
async def registry_url() -> str:
    return await migrated_database("talenta_test_registry")


@pytest.fixture(scope="session")
async def engine(registry_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(registry_url)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="session")
def app(registry_url: str, engine: AsyncEngine) -> FastAPI:
    app = create_app(settings_for(registry_url))
    app.state.engine = engine
    return app


@pytest.fixture
async def db(app: FastAPI, engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """One connection in an outer transaction, rolled back after the test; the app's sessions use savepoints."""
    async with engine.connect() as connection:
        outer = await connection.begin()
        app.state.sessionmaker = async_sessionmaker(
            bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False, autoflush=False
        )
        try:
            yield connection
        finally:
            await outer.rollback()


class Api:
    """An in-process client of the registry that sends a service token for the identity it acts as."""

    def __init__(self, client: httpx.AsyncClient, identity: CallerIdentity = NATIONAL) -> None:
        self.client = client
        self.identity = identity

    def as_(self, identity: CallerIdentity) -> Api:
        """The same client acting for another identity."""
        return Api(self.client, identity)

    async def request(self, method: str, path: str, headers: dict[str, str] | None = None, **kw: Any) -> httpx.Response:
        token = mint_service_token(SECRET, "gateway", "registry", self.identity)
        return await self.client.request(
            method, path, headers={"Authorization": f"Bearer {token}", **(headers or {})}, **kw
        )

    async def get(self, path: str, **kw: Any) -> httpx.Response:
        return await self.request("GET", path, **kw)

    async def post(self, path: str, **kw: Any) -> httpx.Response:
        return await self.request("POST", path, **kw)

    async def put(self, path: str, **kw: Any) -> httpx.Response:
        return await self.request("PUT", path, **kw)

    async def patch(self, path: str, **kw: Any) -> httpx.Response:
        return await self.request("PATCH", path, **kw)

    async def delete(self, path: str, **kw: Any) -> httpx.Response:
        return await self.request("DELETE", path, **kw)


@pytest.fixture
async def api(app: FastAPI, db: AsyncConnection) -> AsyncIterator[Api]:
    transport = httpx.ASGITransport(app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://registry") as client:
        yield Api(client)


async def count_rows(connection: AsyncConnection, table: str) -> int:
    """Rows in `table` as this test's transaction sees them."""
    return int((await connection.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one())


@pytest.fixture
async def org(api: Api) -> Any:
    from tests.registry.factory import make_org

    return await make_org(api)
