"""Gateway test fixtures: a migrated PostgreSQL database, stub downstreams, the app, accounts and tokens."""

from __future__ import annotations

import asyncio
import pathlib
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from services.common.migrations import upgrade_to_head
from services.gateway.app import create_app
from services.gateway.auth.models import Client, User
from services.gateway.auth.passwords import hash_secret
from services.gateway.settings import GatewaySettings
from tests.conftest import recreate_database
from tests.gateway.stub import AGENCY_A, build_stub, serve

GATEWAY_DIR = pathlib.Path(__file__).resolve().parents[2] / "services" / "gateway"
PASSWORD = "correct-horse-battery"


@pytest.fixture(scope="session")
async def gateway_db() -> str:
    """A fresh gateway database built by the migrations."""
    url = await recreate_database("talenta_test_gateway")
    await asyncio.to_thread(upgrade_to_head, GATEWAY_DIR, url)
    return url


@pytest.fixture(scope="session")
async def stubs() -> AsyncIterator[dict[str, Any]]:
    """Registry and scoring stand-ins on real ports."""
    registry, scoring = build_stub("registry"), build_stub("scoring")
    async with serve(registry) as registry_url, serve(scoring) as scoring_url:
        yield {"registry": registry, "scoring": scoring, "registry_url": registry_url, "scoring_url": scoring_url}


def settings_for(db: str, stubs: dict[str, Any], **overrides: Any) -> GatewaySettings:
    """Test settings pointing at the test database and the stubs."""
    values: dict[str, Any] = {
        "environment": "test",
        "database_url": db,
        "registry_url": stubs["registry_url"],
        "scoring_url": stubs["scoring_url"],
        "log_format": "text",
        "downstream_retries": 0,
        "run_dispatcher": False,  # the stubs have no event feeds; webhook tests run dispatchers of their own
        **overrides,
    }
    return GatewaySettings(**values)


@asynccontextmanager
async def running(settings: GatewaySettings) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """The app with its lifespan running, and an in-process client."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://gw") as client:
            yield app, client


@pytest.fixture(scope="session")
async def gw(gateway_db: str, stubs: dict[str, Any]) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """One shared gateway for most tests (generous rate limits and failure budgets)."""
    # Limits and throttles are tested on apps of their own; here many tests share one client address.
    settings = settings_for(
        gateway_db, stubs, rate_limit_per_second=10_000, rate_limit_burst=10_000, token_failures_per_minute=10_000
    )
    async with running(settings) as pair:
        yield pair


@pytest.fixture(scope="session")
def app(gw: tuple[FastAPI, httpx.AsyncClient]) -> FastAPI:
    return gw[0]


@pytest.fixture(scope="session")
def client(gw: tuple[FastAPI, httpx.AsyncClient]) -> httpx.AsyncClient:
    return gw[1]


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@dataclass
class Accounts:
    """Makes users and clients directly in the gateway database."""

    app: FastAPI

    async def user(
        self, roles: list[str], agency_id: str | None = AGENCY_A, nip: str | None = None, password: str = PASSWORD
    ) -> str:
        username = unique("u")
        async with self.app.state.sessionmaker() as session:
            session.add(
                User(
                    username=username,
                    password_hash=await hash_secret(password),
                    roles=roles,
                    agency_id=agency_id,
                    nip=nip,
                )
            )
            await session.commit()
        return username

    async def client(
        self,
        scopes: list[str],
        agency_id: str | None = AGENCY_A,
        secret: str | None = "s3cret-value",
        redirect_uris: list[str] | None = None,
    ) -> str:
        client_id = unique("c")
        async with self.app.state.sessionmaker() as session:
            session.add(
                Client(
                    client_id=client_id,
                    name=client_id,
                    secret_hash=await hash_secret(secret) if secret else None,
                    scopes=scopes,
                    agency_id=agency_id,
                    redirect_uris=redirect_uris or [],
                )
            )
            await session.commit()
        return client_id


@pytest.fixture(scope="session")
def accounts(app: FastAPI) -> Accounts:
    return Accounts(app)


async def password_token(client: httpx.AsyncClient, username: str, password: str = PASSWORD) -> dict[str, Any]:
    """Tokens by the password grant (asserting success)."""
    response = await client.post(
        "/api/v1/auth/token", data={"grant_type": "password", "username": username, "password": password}
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


async def client_token(client: httpx.AsyncClient, client_id: str, secret: str = "s3cret-value") -> str:
    """An access token by client credentials (HTTP Basic)."""
    response = await client.post(
        "/api/v1/auth/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret)
    )
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


TokenFor = Callable[..., Awaitable[str]]


@pytest.fixture(scope="session")
def token_for(client: httpx.AsyncClient, accounts: Accounts) -> TokenFor:
    """`await token_for(["viewer"], agency_id=..., nip=...)` -> a bearer token of a fresh user."""

    async def make(roles: list[str], agency_id: str | None = AGENCY_A, nip: str | None = None) -> str:
        username = await accounts.user(roles, agency_id, nip)
        return str((await password_token(client, username))["access_token"])

    return make


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
