"""Error answers for bad bodies, wrong methods and an unavailable database, and how the OpenAPI documents them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import httpx
import pytest
from fastapi import APIRouter, FastAPI, Request
from pydantic import BaseModel
from sqlalchemy import text

from services.common.app import create_service_app
from services.common.db import create_database_engine
from services.common.settings import ServiceSettings
from tests.conftest import POSTGRES_URL, recreate_database

PROOF_DB = "talenta_proof_common_errors"


class Item(BaseModel):
    name: str


def build_app(database_url: str = "sqlite+aiosqlite:///:memory:") -> FastAPI:
    router = APIRouter()

    @router.get("/items/{item_id}")
    async def read(item_id: str) -> Item:
        return Item(name=item_id)

    @router.patch("/items/{item_id}")
    async def change(item_id: str, item: Item) -> Item:
        return item

    @router.delete("/items/{item_id}", status_code=204)
    async def delete(item_id: str) -> None:
        return None

    @router.get("/count")
    async def count(request: Request) -> int:
        async with request.app.state.engine.connect() as connection:
            return int((await connection.execute(text("SELECT count(*) FROM pg_class"))).scalar_one())

    @router.get("/ended")
    async def ended() -> None:  # a driver connection the server ended mid-operation (test_db_errors)
        raise asyncpg.exceptions.InternalClientError("cannot switch to state 12; another operation (2) is in progress")

    settings = ServiceSettings(
        service_name="demo", database_url=database_url, log_format="text", db_pool_size=1, db_pool_timeout_seconds=2
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.engine = create_database_engine(settings)
        yield
        await app.state.engine.dispose()

    return create_service_app(
        settings=settings, title="t", description="d", lifespan=lifespan, routers=[router], readiness_checks={}
    )


@asynccontextmanager
async def client_of(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


@pytest.mark.parametrize(
    "body",
    [b"\xff\xfe{not utf-8", b"[" * 100_000 + b"]" * 100_000, b'{"name": "' + b"\xc3\x28" + b'"}'],
    ids=["invalid-utf8", "nested-100k-deep", "broken-utf8-in-string"],
)
async def test_an_unreadable_body_is_a_422_naming_the_body(body: bytes) -> None:
    async with client_of(build_app()) as client:
        answer = await client.patch("/items/a", content=body, headers={"content-type": "application/json"})
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    problem = answer.json()
    assert problem["code"] == "validation_failed"
    assert problem["errors"][0]["loc"][0] == "body"


@pytest.mark.parametrize(
    ("body", "where"),
    [(b'{"name": "a\x00b"}', "at character 11"), (b'{"name": ', "at character 9"), (b"{'name': 1}", "at character 1")],
    ids=["raw-nul-in-a-string", "cut-short", "single-quotes"],
)
async def test_malformed_json_is_a_422_naming_the_body_and_where(body: bytes, where: str) -> None:
    async with client_of(build_app()) as client:
        answer = await client.patch("/items/a", content=body, headers={"content-type": "application/json"})
    assert answer.status_code == 422, answer.text
    problem = answer.json()
    assert (problem["code"], problem["detail"]) == ("validation_failed", "Invalid input: body")
    (error,) = problem["errors"]
    assert (error["loc"], error["type"]) == (["body"], "json_invalid")
    assert error["message"].startswith(f"not valid JSON {where}: "), error


async def test_a_wrong_method_is_a_405_listing_every_method_of_the_path() -> None:
    async with client_of(build_app()) as client:
        answer = await client.post("/items/a", json={"name": "x"})
    assert answer.status_code == 405
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.headers["allow"] == "DELETE, GET, PATCH"


async def test_the_openapi_documents_422_and_503_as_problem_json() -> None:
    async with client_of(build_app()) as client:
        document = (await client.get("/openapi.json")).json()
    operation = document["paths"]["/items/{item_id}"]["patch"]
    for status in ("422", "503"):
        assert list(operation["responses"][status]["content"]) == ["application/problem+json"]
    assert "HTTPValidationError" not in document["components"]["schemas"]
    assert "503" not in document["paths"]["/healthz"]["get"]["responses"]


@pytest.mark.postgres
async def test_a_database_refusing_connections_is_a_503_and_then_serves_again() -> None:
    url = await recreate_database(PROOF_DB)
    admin = await asyncpg.connect(POSTGRES_URL)
    try:
        async with client_of(build_app(url)) as client:
            assert (await client.get("/count")).status_code == 200
            await admin.execute(f'ALTER DATABASE "{PROOF_DB}" ALLOW_CONNECTIONS false')
            await admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", PROOF_DB)
            for _ in range(2):  # the pooled connection was killed, then a new one is refused
                answer = await client.get("/count")
                assert answer.status_code == 503, answer.text
                assert answer.headers["content-type"] == "application/problem+json"
                assert answer.json()["code"] == "database_unavailable"
                assert int(answer.headers["retry-after"]) >= 1
            await admin.execute(f'ALTER DATABASE "{PROOF_DB}" ALLOW_CONNECTIONS true')
            assert (await client.get("/count")).status_code == 200
    finally:
        await admin.execute(f'ALTER DATABASE "{PROOF_DB}" ALLOW_CONNECTIONS true')
        await admin.execute(f'DROP DATABASE IF EXISTS "{PROOF_DB}" WITH (FORCE)')
        await admin.close()


async def test_a_session_the_database_ended_mid_operation_is_a_503() -> None:
    async with client_of(build_app()) as client:
        answer = await client.get("/ended")
    assert answer.status_code == 503, answer.text
    assert answer.json()["code"] == "database_unavailable"


async def test_a_database_nobody_listens_for_is_a_503() -> None:
    async with client_of(build_app("postgresql+asyncpg://postgres@127.0.0.1:1/nothing")) as client:
        answer = await client.get("/count")
    assert answer.status_code == 503, answer.text
    assert answer.json()["code"] == "database_unavailable"


@pytest.mark.parametrize(
    ("method", "path", "body", "loc"),
    [
        ("GET", "/items/a%00b", None, ["path", "item_id"]),
        ("GET", "/items/a?filter=x%00", None, ["query", "filter"]),
        ("PATCH", "/items/a", b'{"name": "a\\u0000b"}', ["body", "name"]),
        ("PATCH", "/items/a", b'{"name": "a", "tags": {"x\\u0000": 1}}', ["body", "tags", "x\\u0000"]),
        ("PATCH", "/items/a", b'{"name": "a", "deep": [[{"k": "\\u0000"}]]}', ["body", "deep", 0, 0, "k"]),
    ],
)
async def test_a_nul_character_anywhere_is_a_422_naming_the_field(
    method: str, path: str, body: bytes | None, loc: list[str | int]
) -> None:
    """PostgreSQL refuses U+0000 in text: it must be refused before any query, not become a 500."""
    async with client_of(build_app()) as client:
        answer = await client.request(method, path, content=body, headers={"content-type": "application/json"})
    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"][0]["loc"] == loc


async def test_an_escaped_backslash_before_u0000_is_text_not_a_nul() -> None:
    async with client_of(build_app()) as client:
        answer = await client.patch(
            "/items/a", content=b'{"name": "C:\\\\u0000"}', headers={"content-type": "application/json"}
        )
    assert (answer.status_code, answer.json()) == (200, {"name": "C:\\u0000"})


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("GET", "/nothing/a%00b", 404), ("POST", "/items/a%00b", 405), ("GET", "/items/a/b%00?x=%00", 404)],
)
async def test_a_nul_where_no_route_answers_is_still_a_404_or_405(method: str, path: str, status: int) -> None:
    async with client_of(build_app()) as client:
        answer = await client.request(method, path)
    assert answer.status_code == status, answer.text


async def test_a_json_body_streamed_past_the_limit_is_a_413_even_with_a_nul() -> None:
    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: the limit is counted as the body arrives
        yield b'{"name": "\\u0000", "pad": "'
        for _ in range(40):
            yield b"x" * 65_536
        yield b'"}'

    async with client_of(build_app()) as client:
        answer = await client.patch("/items/a", content=chunks(), headers={"content-type": "application/json"})
    assert answer.status_code == 413, answer.text


async def test_an_http2_body_without_length_headers_is_still_counted_against_the_limit() -> None:
    # HTTP/1.x has no body without Content-Length or Transfer-Encoding, so the limit skips counting there; HTTP/2
    # may send one without either header (served by another ASGI server than uvicorn), and it must meet the limit.
    app = build_app()
    body = b'{"name": "' + b"x" * 2_000_000 + b'"}'
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "2", "method": "PATCH",
        "scheme": "http", "path": "/items/a", "raw_path": b"/items/a", "root_path": "", "query_string": b"",
        "headers": [(b"host", b"test"), (b"content-type", b"application/json")],
        "client": ("127.0.0.1", 1), "server": ("test", 80),
    }  # fmt: skip
    messages = iter([{"type": "http.request", "body": body, "more_body": False}])
    sent: list[dict[str, object]] = []

    async def receive() -> dict[str, object]:
        return next(messages, {"type": "http.disconnect"})

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    async with app.router.lifespan_context(app):
        await app(scope, receive, send)
    assert [m["status"] for m in sent if m["type"] == "http.response.start"] == [413]
