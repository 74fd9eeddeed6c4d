"""The internal HTTP client: fast 503 for a dead service, 504 for a slow one, breaker, identity headers."""

from __future__ import annotations

import asyncio
import time
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest
from starlette.types import Receive, Scope, Send

from services.common.errors import GatewayTimeout, ServiceUnavailable
from services.common.http import Answer, CircuitBreaker, ClientOptions, ServiceClient
from services.common.logging import reset_request_id, set_request_id
from services.common.service_token import CallerIdentity, verify_service_token
from tests.gateway.stub import serve

SECRET = "s" * 40
WHO = CallerIdentity(service="gateway", subject="user:7", agency_id="a1")


def client_for(base_url: str, **options: float) -> ServiceClient:
    return ServiceClient(
        "registry",
        ClientOptions(base_url=base_url, **options),  # type: ignore[arg-type]
        token_secret=SECRET,
        issuer="gateway",
    )


async def test_dead_service_is_a_fast_503() -> None:
    client = client_for("http://127.0.0.1:9", retries=2, backoff_seconds=0.01)
    started = time.monotonic()
    with pytest.raises(ServiceUnavailable):
        await client.request("GET", "/v1/x", identity=WHO)
    assert time.monotonic() - started < 1.0
    await client.aclose()


async def test_breaker_opens_after_repeated_failures() -> None:
    breaker = CircuitBreaker(threshold=2, reset_seconds=60)
    breaker.record(False)
    breaker.check("x")
    breaker.record(False)
    with pytest.raises(ServiceUnavailable):
        breaker.check("x")
    breaker.record(True)
    breaker.check("x")


async def test_identity_and_request_id_travel() -> None:
    seen: dict[str, str] = {}

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        headers = {k.decode(): v.decode() for k, v in scope["headers"]}
        seen.update(headers)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    client = client_for("http://registry", read_timeout=0.1)
    await client.http.aclose()
    client.http = httpx.AsyncClient(
        transport=httpx.ASGITransport(app), base_url="http://registry", timeout=httpx.Timeout(0.1, connect=0.1)
    )
    token = set_request_id("req-1")
    try:
        response = await client.request("GET", "/fast", identity=WHO)
        assert response.status_code == 200
        assert seen["x-request-id"] == "req-1"
        caller = verify_service_token(seen["authorization"].split()[1], SECRET, "registry")
        assert caller.subject == "user:7"
        assert caller.agency_id == "a1"
    finally:
        reset_request_id(token)
        await client.aclose()


async def test_slow_service_is_a_504() -> None:
    async def never_answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(1000)
        await asyncio.sleep(2)
        writer.close()

    server = await asyncio.start_server(never_answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    client = client_for(f"http://127.0.0.1:{port}", read_timeout=0.2)
    started = time.monotonic()
    try:
        with pytest.raises(GatewayTimeout):
            await client.request("GET", "/slow", identity=WHO)
        assert time.monotonic() - started < 1.0
    finally:
        await client.aclose()
        server.close()


async def test_a_service_answering_500s_stays_reachable_while_503s_open_the_breaker() -> None:
    """A 500 is one request's bug (bad input it did not expect); only "cannot serve" answers open the breaker."""
    statuses: list[int] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": statuses.pop(0), "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    client = ServiceClient(
        "registry",
        ClientOptions(base_url="http://registry", breaker_failures=2, retries=0),
        token_secret=SECRET,
        issuer="gateway",
        transport=httpx.ASGITransport(app),
    )
    try:
        statuses += [500, 500, 500, 200]
        assert [(await client.request("POST", "/x", identity=WHO)).status_code for _ in range(4)] == [500] * 3 + [200]
        statuses += [503, 503]
        for _ in range(2):
            assert (await client.request("POST", "/x", identity=WHO)).status_code == 503
        with pytest.raises(ServiceUnavailable):
            await client.request("POST", "/x", identity=WHO)
    finally:
        await client.aclose()


async def test_a_cookie_one_answer_sets_never_rides_on_a_later_call() -> None:
    # Internal calls act for many principals: a cookie set for one must not be sent on another's call.
    seen: list[str | None] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(dict(scope["headers"]).get(b"cookie", b"").decode() or None)
        headers = [(b"set-cookie", b"session=user-7; Path=/")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"{}"})

    client = ServiceClient(
        "registry",
        ClientOptions(base_url="http://registry"),
        token_secret=SECRET,
        issuer="gateway",
        transport=httpx.ASGITransport(app),
    )
    try:
        await client.request("GET", "/v1/a", identity=WHO)
        await client.request("GET", "/v1/b", identity=CallerIdentity(service="gateway", subject="user:8"))
    finally:
        await client.aclose()
    assert seen == [None, None]


@pytest.mark.parametrize("base", ["http://registry", "http://registry/", "http://h:1/prefix", "http://h:1/prefix/"])
def test_the_absolute_url_built_once_is_the_one_httpx_would_merge(base: str) -> None:
    client = client_for(base)
    paths = ["/v1/employees/198609262015051001", "/v1/x%2Fy?a=1", "/v1/a b/ü", "v1/a", "//v1/b", "/", "http://o/x"]
    for path in paths:
        merged = client.http.build_request("GET", path, params={"q": "1"}).url
        assert client.http.build_request("GET", client._url(path), params={"q": "1"}).url == merged
        assert str(client.http.build_request("GET", client._url(path)).url) == str(
            client.http.build_request("GET", path).url
        )


def params_through_aiohttp(client: ServiceClient) -> list[object]:
    """The `params` of each call the client sends through aiohttp from now on (the rest took the HTTP/1.1 pool)."""
    fallback, taken = client._send_aiohttp, []

    async def counted(*args: Any, **kwargs: Any) -> Answer:
        taken.append(kwargs["params"])
        return await fallback(*args, **kwargs)

    client._send_aiohttp = counted  # type: ignore[method-assign]
    return taken


async def test_the_aiohttp_client_sends_and_answers_exactly_as_httpx() -> None:
    """With `transport = aiohttp` a buffered call goes straight through aiohttp (no httpx Request built): the
    downstream sees the same method, path, query, headers and body, and the caller gets the same answer."""
    seen: list[dict[str, object]] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode(): v.decode() for k, v in scope["headers"]}
        call = {"method": scope["method"], "path": scope["raw_path"], "query": scope["query_string"], "body": body}
        seen.append(call | {"type": headers.get("content-type"), "key": headers.get("idempotency-key")})
        answer = [(b"content-type", b"application/json"), (b"etag", b'"3"'), (b"set-cookie", b"s=1")]
        await send({"type": "http.response.start", "status": 201, "headers": answer})
        await send({"type": "http.response.body", "body": b'{"ok": true}'})

    calls = [
        ("GET", "/v1/positions/a%3Fb%23c/successors", {"params": "limit=5&q=x%20y"}),
        ("GET", "/v1/agencies", {"params": {"after": "a b", "limit": "2"}}),
        (
            "POST",
            "/v1/employees",
            {"content": b'{"nip": "1"}', "headers": {"content-type": "application/json", "idempotency-key": "k1"}},
        ),  # fmt: skip
    ]
    answers: dict[str, list[tuple[int, str | None, bytes]]] = {}
    async with serve(app) as base_url:
        for transport in ("httpx", "aiohttp", "http1"):
            client = ServiceClient(
                "registry", ClientOptions(base_url=base_url, transport=transport), token_secret=SECRET, issuer="gateway"
            )  # type: ignore[arg-type]
            if transport != "httpx":  # the direct paths: httpx must not be asked for these calls
                client.http.request = None  # type: ignore[assignment, method-assign]
            if transport == "http1":  # the pool carries what it can: all but the query given as a mapping
                through_aiohttp = params_through_aiohttp(client)
            try:
                answers[transport] = []
                for method, path, kwargs in calls:
                    answer = await client.request(method, path, identity=WHO, **kwargs)  # type: ignore[arg-type]
                    answers[transport].append((answer.status_code, answer.headers.get("etag"), answer.content))
            finally:
                await client.aclose()
    assert answers["aiohttp"] == answers["httpx"] == answers["http1"] == [(201, '"3"', b'{"ok": true}')] * 3
    decoded = [{**call, "query": parse_qsl(call["query"].decode())} for call in seen]  # type: ignore[attr-defined]
    assert decoded[:3] == decoded[3:6] == decoded[6:]  # httpx re-encodes a query (a space as +); the others do not
    assert seen[3]["query"] == seen[6]["query"] == b"limit=5&q=x%20y"
    assert seen[6:] == seen[3:6]  # the pool sends exactly what aiohttp sent
    assert through_aiohttp == [{"after": "a b", "limit": "2"}]
    assert seen[0]["path"] == b"/v1/positions/a%3Fb%23c/successors"
    assert seen[2]["body"] == b'{"nip": "1"}'


@pytest.mark.parametrize("transport", ["aiohttp", "http1"])
async def test_the_direct_clients_map_a_dead_and_a_slow_service_like_httpx(transport: str) -> None:
    dead = ServiceClient(
        "registry", ClientOptions(base_url="http://127.0.0.1:9", transport=transport, retries=1, backoff_seconds=0.01),
        token_secret=SECRET, issuer="gateway",
    )  # type: ignore[arg-type]  # fmt: skip
    with pytest.raises(ServiceUnavailable):
        await dead.request("GET", "/v1/x", identity=WHO)
    await dead.aclose()

    async def slow(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await asyncio.sleep(2)
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b""})

    async with serve(slow) as base_url:
        client = ServiceClient(
            "registry", ClientOptions(base_url=base_url, transport=transport, read_timeout=0.2),
            token_secret=SECRET, issuer="gateway",
        )  # type: ignore[arg-type]  # fmt: skip
        with pytest.raises(GatewayTimeout):
            await client.request("GET", "/v1/x", identity=WHO)
        await client.aclose()


def test_an_answer_from_raw_header_lines_reads_as_httpx_would() -> None:
    raw = [(b"Content-Type", b"application/json"), (b"Content-Length", b"13"), (b"Vary", b"Accept")]
    raw += [(b"vary", b"Origin"), (b"ETag", b'"7"')]
    answer = Answer.from_raw(200, raw, b'{"a": [1, 2]}')
    expected = httpx.Response(200, headers=raw, content=b'{"a": [1, 2]}')
    assert answer.headers == dict(expected.headers.items())
    assert answer.headers["vary"] == "Accept, Origin"
    assert answer.json() == expected.json() == {"a": [1, 2]}
    assert Answer.from_httpx(expected) == answer
