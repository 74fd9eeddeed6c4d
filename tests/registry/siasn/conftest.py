"""SIASN test fixtures: the stand-in served in-process, and a registry (own PostgreSQL database) whose jobs commit."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from services.registry.app import create_app
from services.registry.settings import RegistrySettings
from services.registry.siasn.client import ClientConfig, SiasnClient
from services.registry.siasn.runner import SyncRunner
from services.registry.siasn.tokens import Credentials
from tests.registry.conftest import SECRET, Api, migrated_database
from tests.registry.factory import ok
from tests.siasn_standin.app import Standin
from tests.siasn_standin.data import StandinData
from tests.siasn_standin.faults import Faults

SEED = 20250101
PEOPLE_PER_AGENCY = 40
HOST = "http://siasn.test"
CONSUMERS = {"key-lampung-barat": "secret-lampung-barat-7f3a9c", "key-tanggamus": "secret-tanggamus-2b8d1e"}
USERS = {"operator.lampungbarat": "sso-password-lampung-barat-91ac", "operator.tanggamus": "sso-password-tgm-55d0"}
CREDENTIALS_KEY = "test-siasn-credentials-key-0123456789abcdef"
AGENCY = "pemkab-lampung-barat"
OTHER = "pemkab-tanggamus"


def siasn_settings(url: str, **overrides: Any) -> RegistrySettings:
    """Registry settings pointing SIASN at the stand-in's host, with fast retries."""
    values: dict[str, Any] = {
        "database_url": url, "environment": "test", "log_format": "text", "log_level": "WARNING",
        "service_token_secret": SECRET, "siasn_base_url": HOST + "/apisiasn/1.0",
        "siasn_token_url": HOST + "/oauth2/token",
        "siasn_sso_token_url": HOST + "/auth/realms/public-siasn/protocol/openid-connect/token",
        "siasn_credentials_key": CREDENTIALS_KEY, "siasn_backoff_seconds": 0.01, "siasn_batch_size": 25,
        "siasn_concurrency": 4,
    }  # fmt: skip
    return RegistrySettings(**(values | overrides))


def client_config(**overrides: Any) -> ClientConfig:
    """The client configuration the test settings give."""
    values: dict[str, Any] = {
        "base_url": HOST + "/apisiasn/1.0", "token_url": HOST + "/oauth2/token",
        "sso_token_url": HOST + "/auth/realms/public-siasn/protocol/openid-connect/token",
        "concurrency": 4, "retries": 3, "backoff_seconds": 0.01,
    }  # fmt: skip
    return ClientConfig(**(values | overrides))


def credentials_for(agency_code: str) -> Credentials:
    """The stand-in's credentials of a demo agency."""
    suffix = "lampung-barat" if agency_code == AGENCY else "tanggamus"
    user = "operator.lampungbarat" if agency_code == AGENCY else "operator.tanggamus"
    return Credentials(f"key-{suffix}", CONSUMERS[f"key-{suffix}"], "talenta", user, USERS[user])


@pytest.fixture(scope="package")
def standin_data() -> StandinData:
    return StandinData.from_demo(SEED, PEOPLE_PER_AGENCY)


@pytest.fixture
def standin(standin_data: StandinData) -> Standin:
    """A fresh stand-in (no tokens issued, no faults) over the shared data."""
    return Standin(standin_data, consumers=CONSUMERS, users=USERS)


@pytest.fixture
async def standin_http(standin: Standin) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(standin.app())) as client:
        yield client


def make_client(http: httpx.AsyncClient, agency: str = AGENCY, **config: Any) -> SiasnClient:
    """A SIASN client of a demo agency over the stand-in."""
    return SiasnClient(http, client_config(**config), credentials_for(agency))


@dataclass
class Registry:
    """The running registry app, a client acting as a national admin, and the stand-in it syncs from."""

    app: FastAPI
    api: Api
    standin: Standin

    @property
    def runner(self) -> SyncRunner:
        runner: SyncRunner = self.app.state.siasn_runner
        return runner

    async def sync(self, body: dict[str, Any], api: Api | None = None, status: int = 202) -> dict[str, Any]:
        """POST a sync, wait for its job, and answer the final job with every outcome."""
        started = await ok(await (api or self.api).post("/v1/siasn/syncs", json=body), status)
        await asyncio.sleep(0)
        await self.runner.wait(started["id"])
        return await ok(await (api or self.api).get(f"/v1/siasn/syncs/{started['id']}?limit=500"), 200)


@pytest.fixture(scope="package")
async def siasn_url() -> str:
    return await migrated_database("talenta_test_siasn")


@pytest.fixture(scope="package")
async def running(siasn_url: str) -> AsyncIterator[tuple[FastAPI, Api]]:
    app = create_app(siasn_settings(siasn_url))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://registry") as client:
            api = Api(client)
            for code in (AGENCY, OTHER):
                found = await api.get(f"/v1/agencies/{code}")
                if found.status_code == 404:
                    await ok(await api.post("/v1/agencies", json={"code": code, "name": code, "region": "Lampung"}))
            yield app, api


@pytest.fixture
async def registry(running: tuple[FastAPI, Api], standin: Standin) -> AsyncIterator[Registry]:
    """The registry syncing from this test's stand-in, with both demo agencies' credentials set."""
    app, api = running
    runner: SyncRunner = app.state.siasn_runner
    runner.clients.clear()
    old = app.state.siasn_http
    app.state.siasn_http = httpx.AsyncClient(transport=httpx.ASGITransport(standin.app()))
    for code in (AGENCY, OTHER):
        creds = credentials_for(code)
        body = {"consumer_key": creds.consumer_key, "consumer_secret": creds.consumer_secret,
                "sso_client_id": "talenta", "sso_username": creds.sso_username, "sso_password": creds.sso_password,
                "instansi_id": standin.data.agencies[code]}  # fmt: skip
        assert (await api.put(f"/v1/agencies/{code}/siasn-credentials", json=body)).status_code in (200, 201)
    try:
        yield Registry(app, api, standin)
    finally:
        await app.state.siasn_http.aclose()
        app.state.siasn_http = old
        standin.faults = Faults()


def nips_of(standin: Standin, agency_code: str, count: int | None = None) -> list[str]:
    """NIPs the stand-in holds for a demo agency, in NIP order."""
    instansi = standin.data.agencies[agency_code]
    found = sorted(n for n, p in standin.data.people.items() if p["data-utama"]["instansiKerjaId"] == instansi)
    return found[:count] if count is not None else found
