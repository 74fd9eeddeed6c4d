"""Scoring test fixtures: the real registry app (demo data, its own PostgreSQL database) in-process, and the
scoring app on its own migrated database, talking to the registry through an ASGI transport."""

from __future__ import annotations

import asyncio
import pathlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import orjson
import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from services.common.db import utcnow
from services.common.migrations import upgrade_to_head
from services.common.service_token import CallerIdentity, mint_service_token
from services.registry.app import create_app as create_registry_app
from services.registry.demo import DemoDataset, seed
from services.registry.settings import RegistrySettings
from services.scoring import engine
from services.scoring.app import create_app
from services.scoring.jobs.compute import prepare_review
from services.scoring.jobs.repository import Completion, QueueRepository
from services.scoring.jobs.worker import ReviewWorker
from services.scoring.placements.repository import PlacementRepository
from services.scoring.reviews.summary import review_summary
from services.scoring.settings import ScoringSettings
from tests.conftest import recreate_database

ROOT = pathlib.Path(__file__).resolve().parents[2]
SECRET = "test-service-token-secret-0123456789abcdef"
PEOPLE_PER_AGENCY = 400
NATIONAL = CallerIdentity(service="gateway", subject="user:national", roles=("national_admin",))
SYSTEM = CallerIdentity(service="scoring", subject="service:scoring", roles=("service",))
SCORING_TABLES = (
    "calibrations, placements, succession_shortlists, talent_reviews, idempotency_keys, scoring_policies, outbox_events"
)


def agency_admin(agency_id: str, nip: str | None = None) -> CallerIdentity:
    """An agency_admin of `agency_id` (optionally a person with a NIP)."""
    return CallerIdentity(
        service="gateway", subject=f"user:admin-{agency_id[:8]}", agency_id=agency_id, roles=("agency_admin",), nip=nip
    )


def employee(agency_id: str, nip: str) -> CallerIdentity:
    """An employee account linked to `nip`."""
    return CallerIdentity(
        service="gateway", subject=f"user:emp-{nip}", agency_id=agency_id, roles=("employee",), nip=nip
    )


@asynccontextmanager
async def running(app: FastAPI) -> AsyncIterator[FastAPI]:
    """Run an app's lifespan around a block."""
    async with app.router.lifespan_context(app):
        yield app


class Api:
    """An in-process client that sends a service token for the identity it acts as."""

    def __init__(self, client: httpx.AsyncClient, audience: str, identity: CallerIdentity = NATIONAL) -> None:
        self.client = client
        self.audience = audience
        self.identity = identity

    def as_(self, identity: CallerIdentity) -> Api:
        """The same client acting for another identity."""
        return Api(self.client, self.audience, identity)

    async def request(self, method: str, path: str, headers: dict[str, str] | None = None, **kw: Any) -> httpx.Response:
        token = mint_service_token(SECRET, "gateway", self.audience, self.identity)
        return await self.client.request(
            method, path, headers={"Authorization": f"Bearer {token}", **(headers or {})}, **kw
        )

    async def get(self, path: str, **kw: Any) -> httpx.Response:
        return await self.request("GET", path, **kw)

    async def post(self, path: str, **kw: Any) -> httpx.Response:
        return await self.request("POST", path, **kw)

    async def patch(self, path: str, **kw: Any) -> httpx.Response:
        return await self.request("PATCH", path, **kw)


def registry_settings(url: str) -> RegistrySettings:
    """Registry settings for the tests."""
    return RegistrySettings(
        database_url=url, environment="test", log_format="text", log_level="WARNING", service_token_secret=SECRET
    )


def scoring_settings(url: str, **overrides: Any) -> ScoringSettings:
    """Scoring settings for the tests: no in-process worker unless asked, quick leases."""
    values: dict[str, Any] = {
        "database_url": url,
        "environment": "test",
        "log_format": "text",
        "log_level": "WARNING",
        "service_token_secret": SECRET,
        "registry_url": "http://registry",
        "run_worker": False,
        "worker_poll_seconds": 0.05,
        "lease_seconds": 5.0,
        "heartbeat_seconds": 1.0,
        "retry_backoff_seconds": 0.0,
        "max_attempts": 2,
        "shutdown_grace_seconds": 5.0,
    }
    return ScoringSettings(**(values | overrides))


async def seeded_registry_database(name: str, people_per_agency: int) -> str:
    """A registry database with the demo dataset; its URL."""
    url = await recreate_database(name)
    await asyncio.to_thread(upgrade_to_head, ROOT / "services" / "registry", url)
    engine = create_async_engine(url)
    try:
        await seed(engine, DemoDataset(people_per_agency=people_per_agency))
        async with engine.begin() as connection:
            await connection.execute(text("ANALYZE"))
    finally:
        await engine.dispose()
    return url


@pytest.fixture(scope="session")
async def registry_app() -> AsyncIterator[FastAPI]:
    url = await seeded_registry_database("talenta_test_scoring_registry", PEOPLE_PER_AGENCY)
    async with running(create_registry_app(registry_settings(url))) as app:
        yield app


@pytest.fixture(scope="session")
async def scoring_url() -> str:
    url = await recreate_database("talenta_test_scoring")
    await asyncio.to_thread(upgrade_to_head, ROOT / "services" / "scoring", url)
    return url


async def empty_scoring_tables(url: str) -> None:
    """Remove every row of the scoring database (the app stores the built-in policies again on start)."""
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(text(f"TRUNCATE {SCORING_TABLES}"))
    finally:
        await engine.dispose()


class _BrokenStream(httpx.AsyncByteStream):
    """A response body that stops after some bytes with a connection error, as a dying registry's would."""

    def __init__(self, head: bytes) -> None:
        self.head = head

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield self.head
        raise httpx.ReadError("connection reset by peer")


class RegistryTransport(httpx.AsyncBaseTransport):
    """The real registry app in-process; on the scoring-inputs export a test may hold requests at a gate,
    break the answer after some bytes, or refuse the connection (a registry that is down)."""

    def __init__(self, app: FastAPI) -> None:
        self.inner = httpx.ASGITransport(app, raise_app_exceptions=False)
        self.gate: asyncio.Event | None = None
        self.break_after: int | None = None
        self.refuse = False
        self.exports = 0
        self.export_started = asyncio.Event()
        self.paths: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.paths.append(request.url.raw_path.decode())
        if request.url.path != "/v1/scoring-inputs":
            return await self.inner.handle_async_request(request)
        self.exports += 1
        self.export_started.set()
        if self.refuse:
            raise httpx.ConnectError("connection refused", request=request)
        if self.gate is not None:
            await self.gate.wait()
        response = await self.inner.handle_async_request(request)
        if self.break_after is None:
            return response
        body = await response.aread()
        headers = [(k, v) for k, v in response.headers.items() if k.lower() != "content-length"]
        return httpx.Response(response.status_code, headers=headers, stream=_BrokenStream(body[: self.break_after]))


@pytest.fixture
async def scoring_app(scoring_url: str, registry_app: FastAPI) -> AsyncIterator[FastAPI]:
    await empty_scoring_tables(scoring_url)
    transport = RegistryTransport(registry_app)
    app = create_app(scoring_settings(scoring_url), registry_transport=transport)
    app.state.test_transport = transport
    async with running(app):
        yield app


@pytest.fixture
async def api(scoring_app: FastAPI) -> AsyncIterator[Api]:
    transport = httpx.ASGITransport(scoring_app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://scoring") as client:
        yield Api(client, "scoring")


@pytest.fixture
async def registry(registry_app: FastAPI) -> AsyncIterator[Api]:
    transport = httpx.ASGITransport(registry_app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://registry") as client:
        yield Api(client, "registry")


@pytest.fixture
async def agencies(registry: Api) -> dict[str, str]:
    """Demo agency code -> id."""
    page = (await registry.get("/v1/agencies")).json()
    return {item["code"]: item["id"] for item in page["items"]}


def worker_for(app: FastAPI, name: str, **overrides: Any) -> ReviewWorker:
    """A review worker on the app's database and registry client (settings overridable per worker)."""
    settings = app.state.settings.model_copy(update=overrides) if overrides else app.state.settings
    return ReviewWorker(app.state.sessionmaker, app.state.registry, settings, app.state.scoring_metrics, name=name)


async def wait_for_status(api: Api, review_id: str, statuses: set[str], seconds: float = 60) -> dict[str, Any]:
    """Poll a review until its status is one of `statuses`."""
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        review = (await api.get(f"/v1/talent-reviews/{review_id}")).json()
        if review["status"] in statuses:
            return review
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"review {review_id} still {review['status']} after {seconds} s")
        await asyncio.sleep(0.05)


async def complete_review_from(
    app: FastAPI, api: Api, data: bytes, policy_id: str = "permenpanrb-3-2020", agency: str = "pemkab-lampung-barat"
) -> str:
    """A review completed from a given export CSV (the data path of a worker, without the registry)."""
    body = {"agency_id": agency, "period": 2025, "policy_id": policy_id}
    review_id = str((await api.post("/v1/talent-reviews", json=body)).json()["id"])
    maker = app.state.sessionmaker
    async with maker() as session, session.begin():
        job = await QueueRepository(session).claim("test", utcnow(), 60)
    assert job is not None
    assert job.id == review_id
    policy = engine.builtin_policy(policy_id) if policy_id in engine.BUILTIN_POLICIES else None
    if policy is None:
        document = (await api.get(f"/v1/scoring-policies/{policy_id}")).json()["document"]
        policy = engine.policy_from_json(orjson.dumps(document))
    prepared = prepare_review(data, review_id, policy, 2025)
    summary = review_summary(prepared.box_counts, prepared.incomplete, 0, policy.talent_pool_boxes)
    async with maker() as session, session.begin():
        await PlacementRepository(session).write_bulk(prepared.table)
        done = Completion(summary, prepared.rows, 0.0, 0.0, 0.0)
        assert await QueueRepository(session).complete(review_id, "test", utcnow(), done)
    return review_id


async def registry_export(registry: Api, agency_id: str, **params: Any) -> bytes:
    """The registry's scoring-inputs CSV, fetched directly (the engine's input for the comparison)."""
    query = {"agency_id": agency_id, "period": 2025, "sanction_lookback_years": 5, "award_lookback_years": 5}
    answer = await registry.as_(SYSTEM).get("/v1/scoring-inputs", params=query | params)
    assert answer.status_code == 200, answer.text
    return answer.content
