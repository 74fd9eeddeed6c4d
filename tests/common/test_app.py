"""The common app assembly: problem+json errors, request ids, metrics, body limits, health."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from fastapi import APIRouter, FastAPI
from pydantic import BaseModel, ConfigDict

from services.common.app import create_service_app
from services.common.errors import Conflict, problem_responses
from services.common.settings import ServiceSettings


class Item(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    count: int


def build_app(fail_ready: bool = False) -> FastAPI:
    router = APIRouter()

    @router.post("/items", responses=problem_responses(409, 422))
    async def create(item: Item) -> Item:
        if item.name == "taken":
            raise Conflict("That name is taken.", code="name_taken")
        return item

    @router.get("/boom")
    async def boom() -> None:
        raise RuntimeError("secret internals")

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield

    async def check(_: object) -> None:
        if fail_ready:
            raise ConnectionError("down")

    settings = ServiceSettings(service_name="demo", max_json_body_bytes=2048, log_format="text")
    return create_service_app(
        settings=settings,
        title="t",
        description="d",
        lifespan=lifespan,
        routers=[router],
        readiness_checks={"database": check},
    )


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(build_app(), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield c


async def test_validation_error_is_problem_json_naming_the_field(client: httpx.AsyncClient) -> None:
    response = await client.post("/items", json={"name": "a", "count": "many", "extra": 1})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "validation_failed"
    assert body["status"] == 422
    locs = {tuple(e["loc"]) for e in body["errors"]}
    assert ("body", "count") in locs
    assert ("body", "extra") in locs
    assert all(e["message"] for e in body["errors"])


async def test_domain_error_keeps_its_code(client: httpx.AsyncClient) -> None:
    response = await client.post("/items", json={"name": "taken", "count": 1})
    assert response.status_code == 409
    assert response.json()["code"] == "name_taken"


async def test_unhandled_error_hides_internals(client: httpx.AsyncClient) -> None:
    response = await client.get("/boom")
    assert response.status_code == 500
    assert "secret internals" not in response.text
    assert response.json()["code"] == "internal_error"


async def test_unknown_route_and_method_are_problems(client: httpx.AsyncClient) -> None:
    missing = await client.get("/nothing-here")
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")
    wrong = await client.delete("/items")
    assert (wrong.status_code, wrong.json()["code"]) == (405, "method_not_allowed")


async def test_request_id_is_echoed_or_generated(client: httpx.AsyncClient) -> None:
    echoed = await client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert echoed.headers["x-request-id"] == "abc-123"
    generated = await client.get("/healthz", headers={"X-Request-ID": "bad id with spaces"})
    assert generated.headers["x-request-id"] != "bad id with spaces"
    assert len(generated.headers["x-request-id"]) == 32


async def test_oversize_body_is_413(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/items", content=b"{" + b" " * 5000 + b"}", headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"


async def test_malformed_json_is_422(client: httpx.AsyncClient) -> None:
    response = await client.post("/items", content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


async def test_metrics_count_requests_by_route_template(client: httpx.AsyncClient) -> None:
    await client.post("/items", json={"name": "a", "count": 1})
    text = (await client.get("/metrics")).text
    assert 'http_requests_total{method="POST",route="/items",status="200"} 1.0' in text


async def test_readyz_reports_failing_dependency() -> None:
    transport = httpx.ASGITransport(build_app(fail_ready=True))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        response = await c.get("/readyz")
        assert response.status_code == 503
        assert response.json()["checks"]["database"].startswith("unavailable")
        assert (await c.get("/healthz")).status_code == 200


def test_demo_secret_refused_outside_local() -> None:
    with pytest.raises(ValueError, match="demo secret"):
        ServiceSettings(environment="production")
    ServiceSettings(environment="production", service_token_secret="x" * 40)
