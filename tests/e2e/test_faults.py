"""Downstream faults, rate limits and a graceful stop, seen through a second gateway replica ("edge").

The edge replica shares the session's database and downstreams but has a short downstream read timeout (so a
hung registry costs two seconds, not ten) and small rate limits. Scoring is really stopped, the registry
really frozen (SIGSTOP): nothing is mocked.
"""

from __future__ import annotations

import asyncio
import signal
import socket
import time
from collections.abc import AsyncIterator, Awaitable

import httpx
import pytest

from services.launcher.stack import Stack
from tests.e2e.harness import DEMO_EMPLOYEE_NIP, LAMPUNG_BARAT, Api, ok, problem, until

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]  # a hung process fails the test, not CI
EDGE = "gateway-edge"
READ_TIMEOUT = 2.0
RATE, BURST = 5, 10
ADMIN = "lampungbarat.admin"


@pytest.fixture(scope="module")
async def edge(stack: Stack) -> AsyncIterator[Api]:
    """A second gateway process: short downstream read timeout, small per-principal rate limits."""
    settings = {
        "GATEWAY_DOWNSTREAM_READ_TIMEOUT_SECONDS": str(READ_TIMEOUT),
        "GATEWAY_RATE_LIMIT_PER_SECOND": str(RATE),
        "GATEWAY_RATE_LIMIT_BURST": str(BURST),
    }
    await asyncio.to_thread(stack.start_service, "gateway", instance=EDGE, env=settings)
    client = Api(stack.url(EDGE))
    try:
        yield client
    finally:
        await client.aclose()
        await asyncio.to_thread(stack.stop_service, EDGE)


async def timed(call: Awaitable[httpx.Response]) -> tuple[httpx.Response, float]:
    """An answer and how long it took."""
    started = time.perf_counter()
    answer = await call
    return answer, time.perf_counter() - started


async def test_scoring_stopped_is_a_fast_503_while_registry_routes_work_and_it_recovers(
    stack: Stack, edge: Api
) -> None:
    reviews = "/api/v1/talent-reviews"
    ok(await edge.get(ADMIN, reviews, params={"agency_id": LAMPUNG_BARAT}))
    await asyncio.to_thread(stack.stop_service, "scoring")
    try:
        for _ in range(7):  # past the circuit breaker's threshold: from then on it answers at once
            answer, seconds = await timed(edge.get(ADMIN, reviews, params={"agency_id": LAMPUNG_BARAT}))
            assert problem(answer, 503, "upstream_unavailable")
            assert seconds < 1.0
        ready = await edge.http.get("/readyz")
        assert problem(ready, 503, "not_ready")["checks"]["scoring"].startswith("unavailable")
        person, seconds = await timed(edge.get(ADMIN, f"/api/v1/employees/{DEMO_EMPLOYEE_NIP}"))
        assert ok(person)["nip"] == DEMO_EMPLOYEE_NIP
        assert seconds < 1.0
        ok(await edge.get(ADMIN, "/api/v1/positions", params={"agency_id": LAMPUNG_BARAT}))
    finally:
        await asyncio.to_thread(stack.restart, "scoring")
    # Nobody resets anything: the breaker lets a trial call through after its reset time, and that succeeds.
    back = await until(
        lambda: edge.get(ADMIN, reviews, params={"agency_id": LAMPUNG_BARAT}), lambda r: r.status_code == 200, 15, 0.5
    )
    assert back.json()["items"] is not None


async def test_a_hung_registry_is_a_504_within_the_read_timeout(stack: Stack, edge: Api) -> None:
    path = f"/api/v1/employees/{DEMO_EMPLOYEE_NIP}"
    ok(await edge.get(ADMIN, path))
    stack.signal("registry", signal.SIGSTOP)  # alive, accepting connections, answering nothing
    try:
        answer, seconds = await timed(edge.get(ADMIN, path))
    finally:
        stack.signal("registry", signal.SIGCONT)
    assert problem(answer, 504, "upstream_timeout")
    assert READ_TIMEOUT - 0.1 < seconds < READ_TIMEOUT + 1.5
    assert ok(await edge.get(ADMIN, path))["nip"] == DEMO_EMPLOYEE_NIP  # and it serves again at once


async def test_rate_limit_answers_429_with_retry_after(edge: Api) -> None:
    account = "asesor.lampungbarat"
    await edge.as_(account)  # signed in before the burst
    answers = await asyncio.gather(*(edge.get(account, "/api/v1/me") for _ in range(3 * BURST)))
    limited = [a for a in answers if a.status_code == 429]
    assert len([a for a in answers if a.status_code == 200]) >= BURST
    assert limited, "a burst past the limit must be refused"
    for answer in limited:
        assert problem(answer, 429, "rate_limited")
        assert int(answer.headers["retry-after"]) >= 1
    await asyncio.sleep(int(limited[-1].headers["retry-after"]))
    ok(await edge.get(account, "/api/v1/me"))  # the bucket refilled


async def test_sigterm_lets_the_request_in_flight_finish(stack: Stack, edge: Api) -> None:
    """The last test of the module: the edge replica is gone afterwards."""
    path = f"/api/v1/employees/{DEMO_EMPLOYEE_NIP}"
    headers = await edge.as_(ADMIN)
    stack.signal("registry", signal.SIGSTOP)
    try:
        in_flight = asyncio.create_task(edge.http.get(path, headers=headers))
        await asyncio.sleep(0.3)  # the gateway now waits on the frozen registry
        stack.signal(EDGE, signal.SIGTERM)
        await asyncio.sleep(0.3)
        assert stack.processes[EDGE].poll() is None, "the gateway must wait for its request in flight"
        with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", stack.ports[EDGE]), 1):
            pass  # ... while taking no new connections
    finally:
        stack.signal("registry", signal.SIGCONT)
    answer = await in_flight
    assert ok(answer)["nip"] == DEMO_EMPLOYEE_NIP
    code = await asyncio.to_thread(stack.processes[EDGE].wait, 15)
    assert code in (0, -signal.SIGTERM)
    assert "Application shutdown complete" in stack.log_tail(EDGE)
