"""The HTTP/1.1 pool for calls between our services: framing, keep-alive, and every way a call can fail.

Servers here are real sockets: uvicorn serving a small app where an answer is ordinary, and a raw asyncio server
where the test needs an answer uvicorn would never give (silence, garbage, a cut-off body)."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import httpx
import pytest
import uvicorn
import uvloop
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from services.common.http1 import Http1Pool


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _echo(request: Request) -> Response:
    body = await request.body()
    return JSONResponse(
        {"method": request.method, "path": request.url.path, "query": request.url.query, "body": body.decode(),
         "headers": {k: v for k, v in request.headers.items() if k in ("x-one", "content-length", "host")}},
        headers={"x-answer": "yes"},
    )  # fmt: skip


async def _chunks(request: Request) -> Response:
    async def parts() -> AsyncIterator[bytes]:
        for i in range(50):
            yield f"{i:04d},".encode() * 1000

    return StreamingResponse(parts(), media_type="text/csv")


async def _close(request: Request) -> Response:
    return Response(b"bye", headers={"connection": "close"})


@asynccontextmanager
async def uvicorn_app(connections: list[int]) -> AsyncIterator[int]:
    """uvicorn on a free port; `connections` counts the TCP connections it accepted."""
    app = Starlette(
        routes=[Route("/echo/{rest:path}", _echo, methods=["GET", "POST", "PATCH", "DELETE"]),
                Route("/chunks", _chunks), Route("/close", _close)]
    )  # fmt: skip

    async def counting(scope: dict, receive: Callable, send: Callable) -> None:  # type: ignore[type-arg]
        if scope["type"] == "http" and scope["client"][1] not in connections:
            connections.append(scope["client"][1])
        await app(scope, receive, send)

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(counting, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 - uvicorn.Server has a flag for this, no event
        await asyncio.sleep(0.01)
    try:
        yield port
    finally:
        server.should_exit = True
        await task


@asynccontextmanager
async def raw_server(
    handle: Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]],
) -> AsyncIterator[int]:
    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    try:
        yield int(server.sockets[0].getsockname()[1])
    finally:
        server.close()


def pool(port: int, *, max_connections: int = 4, read_timeout: float = 5.0, idle_seconds: float = 4.0) -> Http1Pool:
    return Http1Pool(
        "127.0.0.1", port, max_connections=max_connections, connect_timeout=1.0, read_timeout=read_timeout,
        idle_seconds=idle_seconds,
    )  # fmt: skip


async def test_answers_arrive_whole_over_one_kept_alive_connection() -> None:
    connections: list[int] = []
    async with uvicorn_app(connections) as port:
        client = pool(port)
        for i in range(3):
            status, headers, body = await client.request("GET", f"/echo/a%2Fb?x={i}&y=%20", {"x-one": "1"})
            assert status == 200
            assert (b"x-answer", b"yes") in headers
            assert httpx.Response(200, content=body).json() == {
                "method": "GET", "path": "/echo/a/b", "query": f"x={i}&y=%20", "body": "",
                "headers": {"x-one": "1", "host": f"127.0.0.1:{port}"},
            }  # fmt: skip
        status, _, body = await client.request("PATCH", "/echo/z", {"content-type": "application/json"}, b'{"a":1}')
        assert (status, httpx.Response(200, content=body).json()["body"]) == (200, '{"a":1}')
        _, _, body = await client.request("POST", "/echo/empty", {})
        assert httpx.Response(200, content=body).json()["headers"]["content-length"] == "0"
        await client.aclose()
    assert len(connections) == 1


async def test_a_chunked_answer_is_joined_and_a_closing_one_is_not_reused() -> None:
    connections: list[int] = []
    async with uvicorn_app(connections) as port:
        client = pool(port)
        status, headers, body = await client.request("GET", "/chunks", {})
        assert (b"transfer-encoding", b"chunked") in [(k.lower(), v) for k, v in headers]
        assert body == b"".join(f"{i:04d},".encode() * 1000 for i in range(50))
        assert (await client.request("GET", "/close", {}))[2] == b"bye"
        await client.request("GET", "/echo/after", {})
        await client.aclose()
    assert len(connections) == 2  # the answer that said `connection: close` took its connection with it


async def test_concurrent_calls_share_at_most_the_pool_size() -> None:
    connections: list[int] = []
    async with uvicorn_app(connections) as port:
        client = pool(port, max_connections=2)
        answers = await asyncio.gather(*(client.request("GET", f"/echo/{i}", {}) for i in range(20)))
        assert [a[0] for a in answers] == [200] * 20
        await client.aclose()
    assert len(connections) <= 2


async def test_a_connection_the_server_closed_while_idle_is_replaced() -> None:
    accepted = 0

    async def once_then_close(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal accepted
        accepted += 1
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")
        await writer.drain()
        writer.close()  # as uvicorn does after its keep-alive timeout

    async with raw_server(once_then_close) as port:
        client = pool(port)
        assert (await client.request("GET", "/", {}))[2] == b"ok"
        await asyncio.sleep(0.1)
        assert (await client.request("GET", "/", {}))[2] == b"ok"
    assert accepted == 2


async def test_no_listener_is_a_connect_error() -> None:
    with pytest.raises(httpx.ConnectError):
        await pool(_free_port()).request("GET", "/", {})


async def test_silence_is_a_read_timeout_and_the_connection_is_dropped() -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()  # reads until the client closes

    async with raw_server(silent) as port:
        client = pool(port, read_timeout=0.2)
        started = asyncio.get_running_loop().time()
        with pytest.raises(httpx.ReadTimeout):
            await client.request("GET", "/", {})
        assert asyncio.get_running_loop().time() - started < 1.0
        assert not client._idle


@pytest.mark.parametrize(
    "answer",
    [b"HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nabc", b"this is not http\r\n\r\n", b""],
    ids=["cut-off-body", "garbage", "closed-at-once"],
)
async def test_a_broken_answer_is_a_protocol_error(answer: bytes) -> None:
    async def broken(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(answer)
        await writer.drain()
        writer.close()

    async with raw_server(broken) as port:
        client = pool(port)
        with pytest.raises(httpx.RemoteProtocolError):
            await client.request("GET", "/", {})
        assert not client._idle


async def test_a_full_pool_waits_then_times_out_and_a_cancelled_call_frees_its_slot() -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()

    async with raw_server(silent) as port:
        client = pool(port, max_connections=1, read_timeout=30)
        hung = asyncio.create_task(client.request("GET", "/", {}))
        await asyncio.sleep(0.1)
        with pytest.raises(httpx.PoolTimeout):
            await client.request("GET", "/", {})  # waits the connect timeout (1 s) for the one slot
        hung.cancel()
        with pytest.raises(asyncio.CancelledError):
            await hung
        assert not client._idle  # the abandoned connection is closed, never reused
        waiting = asyncio.create_task(client.request("GET", "/", {}))
        await asyncio.sleep(0.1)
        assert not waiting.done()  # it got the freed slot and is waiting for an answer, not for the pool
        waiting.cancel()


@pytest.mark.parametrize(
    ("target", "headers"),
    [("/a\r\nx: y", {}), ("/a b", {}), ("/a", {"x-one": "1\r\nx-two: 2"}), ("/a", {"x-one": "1\nGET / HTTP/1.1"})],
)
async def test_a_line_break_or_space_where_it_would_split_the_request_is_refused(
    target: str, headers: dict[str, str]
) -> None:
    with pytest.raises(httpx.LocalProtocolError):
        await pool(_free_port()).request("GET", target, headers)


def test_the_same_calls_work_on_uvloop_the_loop_the_services_run() -> None:
    # uvicorn runs our services on uvloop, whose transports differ from asyncio's (not asyncio.Transport subclasses).
    uvloop.run(test_answers_arrive_whole_over_one_kept_alive_connection())
    uvloop.run(test_a_chunked_answer_is_joined_and_a_closing_one_is_not_reused())
    uvloop.run(test_a_connection_the_server_closed_while_idle_is_replaced())
    uvloop.run(test_silence_is_a_read_timeout_and_the_connection_is_dropped())
    uvloop.run(test_a_broken_answer_is_a_protocol_error(b"HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nabc"))
    uvloop.run(test_no_listener_is_a_connect_error())


async def test_waiting_callers_get_freed_slots_in_turn() -> None:
    release = asyncio.Event()

    async def gated(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            try:
                await reader.readuntil(b"\r\n\r\n")
            except asyncio.IncompleteReadError:
                return
            await release.wait()
            writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")
            await writer.drain()

    async with raw_server(gated) as port:
        client = pool(port, max_connections=2)
        calls = [asyncio.create_task(client.request("GET", f"/{i}", {})) for i in range(6)]
        await asyncio.sleep(0.2)
        assert len(client._waiting) == 4  # two in flight, four waiting for their slots
        release.set()
        assert [answer[2] for answer in await asyncio.gather(*calls)] == [b"ok"] * 6
        assert (client._free, len(client._waiting), len(client._idle)) == (2, 0, 2)
        await client.aclose()


async def test_the_read_timeout_counts_from_the_last_bytes_not_from_the_request() -> None:
    async def trickle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 7\r\n\r\n")
        for byte in b"slowly!":
            await asyncio.sleep(0.1)
            writer.write(bytes([byte]))
            await writer.drain()

    async with raw_server(trickle) as port:
        client = pool(port, read_timeout=0.4)  # each gap is 0.1 s; the whole answer takes 0.7 s
        assert (await client.request("GET", "/", {}))[2] == b"slowly!"
        await client.aclose()


async def test_a_connection_idle_for_longer_than_the_server_keeps_it_is_not_reused() -> None:
    connections: list[int] = []
    async with uvicorn_app(connections) as port:
        client = pool(port, max_connections=2, idle_seconds=1.0)
        await client.request("GET", "/echo/a", {})
        await client.request("GET", "/echo/b", {})  # at once: the same connection
        await asyncio.sleep(1.2)
        await client.request("GET", "/echo/c", {})  # idle too long: a new one
        await client.aclose()
    assert len(connections) == 2
