"""Operations on the running product: Prometheus metrics of every service, one trace across the gateway,
scoring and the registry, one request id in every service's JSON log, and a graceful stop of each service."""

from __future__ import annotations

import asyncio
import json
import re
import secrets
import signal
from typing import Any

import httpx
import pytest

from services.launcher.stack import Stack
from tests.e2e.harness import DEMO_EMPLOYEE_NIP, LAMPUNG_BARAT, TANGGAMUS, Api, ok, service_headers, until
from tests.e2e.otlp import Receiver, Span

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]  # a hung process fails the test, not CI
ADMIN = "lampungbarat.admin"
SERVER = 2  # SpanKind SERVER in OTLP
NIP_LIKE = re.compile(r"(?<!\d)\d{18}(?!\d)")


@pytest.fixture(scope="module")
async def review(api: Api) -> str:
    """A completed review of lampung-barat (successors draw on it; the metrics count it)."""
    started = await api.post(ADMIN, "/api/v1/talent-reviews", json={"agency_id": LAMPUNG_BARAT, "period": 2023})
    done = await api.wait_for_job(ADMIN, ok(started, 202) and started.headers["location"])
    assert done["status"] == "completed", done
    return str(done["id"])


async def key_position(api: Api) -> str:
    positions = ok(await api.get(ADMIN, "/api/v1/positions", params={"agency_id": LAMPUNG_BARAT, "is_key": "true"}))
    return str(positions["items"][0]["id"])


async def scrape(stack: Stack, instance: str) -> str:
    async with httpx.AsyncClient() as client:
        answer = await client.get(stack.url(instance) + "/metrics")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain")
    return answer.text


def sample(text: str, name: str, **labels: str) -> float:
    """The value of one sample whose labels include `labels`."""
    for line in text.splitlines():
        if line.startswith(name + "{") and all(f'{k}="{v}"' in line for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    found = "\n".join(line for line in text.splitlines() if line.startswith(name))
    raise AssertionError(f"no {name} with {labels} in:\n{found or '(none of that name)'}")


async def test_every_service_serves_request_pool_and_queue_metrics(stack: Stack, api: Api, review: str) -> None:
    ok(await api.get(ADMIN, f"/api/v1/talent-reviews/{review}"))
    assert (await api.get(ADMIN, "/api/v1/employees/197001012000011001")).status_code == 404
    gateway, registry, scoring = [await scrape(stack, name) for name in ("gateway", "registry", "scoring")]
    route = "/api/v1/talent-reviews/{review_id}"
    assert sample(gateway, "http_requests_total", method="GET", route=route, status="200") >= 1
    assert sample(gateway, "http_requests_total", route="/api/v1/employees/{nip}", status="404") >= 1
    assert sample(gateway, "http_request_duration_seconds_bucket", route=route, le="+Inf") >= 1
    assert sample(registry, "http_request_duration_seconds_count", route="/v1/scoring-inputs") >= 1
    assert sample(scoring, "http_requests_total", method="POST", route="/v1/talent-reviews", status="202") >= 1
    for text in (gateway, registry, scoring):
        assert sample(text, "db_pool_max_connections", pool="engine") >= 1
        assert sample(text, "db_pool_connections", pool="engine", state="idle") >= 0
        assert "\nhttp_requests_in_flight " in text
    assert sample(gateway, "db_pool_connections", pool="engine", state="in_use") >= 1  # the audit writer's own
    assert sample(registry, "db_pool_max_connections", pool="read") >= 1  # the registry's driver pool for reads
    assert sample(scoring, "scoring_review_jobs_total", outcome="completed") >= 1
    assert sample(scoring, "scoring_review_duration_seconds_count", phase="total") >= 1
    assert sample(scoring, "scoring_review_duration_seconds_bucket", phase="export", le="+Inf") >= 1
    assert "scoring_review_queue_depth " in scoring


def _spans(otlp: Receiver, trace_id: str, services: set[str]) -> list[Span]:
    return [s for s in otlp.trace(trace_id) if s.kind == SERVER and s.service in services]


async def test_one_trace_across_gateway_scoring_and_registry(api: Api, otlp: Receiver, review: str) -> None:
    trace_id, caller_span = secrets.token_hex(16), secrets.token_hex(8)
    headers = {"traceparent": f"00-{trace_id}-{caller_span}-01"}
    position = await key_position(api)
    ok(await api.request(ADMIN, "GET", f"/api/v1/positions/{position}/successors", headers=headers))
    wanted = {"talenta-gateway", "talenta-scoring", "talenta-registry"}

    async def spans() -> list[Span]:
        return _spans(otlp, trace_id, wanted)

    received = await until(spans, lambda found: {s.service for s in found} == wanted, 10)
    gateway = next(s for s in received if s.service == "talenta-gateway")
    assert (gateway.name, gateway.parent_span_id) == ("GET /api/v1/positions/{position_id}/successors", caller_span)
    assert gateway.attributes["http.response.status_code"] == 200
    scoring = next(s for s in received if s.service == "talenta-scoring")
    assert (scoring.name, scoring.parent_span_id) == ("GET /v1/positions/{position_id}/successors", gateway.span_id)
    registry = [s for s in received if s.service == "talenta-registry"]
    assert all(s.parent_span_id == scoring.span_id for s in registry)  # the calls scoring made for this request
    assert len([s for s in received if s.service == "talenta-gateway"]) == 1  # one server span per hop
    everything = otlp.trace(trace_id)
    assert not [s for s in everything if NIP_LIKE.search(json.dumps(s.attributes))], "no raw paths with NIPs"

    # Without a caller's trace the gateway starts one; the registry's span hangs under the gateway's, and both
    # carry the request id that the services' log lines carry too.
    answer = await api.get(ADMIN, f"/api/v1/employees/{DEMO_EMPLOYEE_NIP}")
    request_id = ok(answer) and answer.headers["x-request-id"]

    async def tagged() -> dict[str, Span]:
        return {s.service: s for s in list(otlp.spans) if s.attributes.get("talenta.request_id") == request_id}

    pair = await until(tagged, lambda found: {"talenta-gateway", "talenta-registry"} <= found.keys(), 10)
    gateway, registry = pair["talenta-gateway"], pair["talenta-registry"]
    assert gateway.parent_span_id == ""  # a new trace
    assert (registry.trace_id, registry.parent_span_id) == (gateway.trace_id, gateway.span_id)
    assert (gateway.name, registry.name) == ("GET /api/v1/employees/{nip}", "GET /v1/employees/{nip}")
    assert DEMO_EMPLOYEE_NIP not in repr(otlp.trace(gateway.trace_id))  # route templates, never the raw path


def log_lines(stack: Stack, instance: str, request_id: str) -> list[dict[str, Any]]:
    lines = []
    for raw in (stack.log_dir / f"{instance}.log").read_text(errors="replace").splitlines():
        if request_id in raw:
            lines.append(json.loads(raw))
    return lines


async def test_one_request_id_in_every_services_json_log(stack: Stack, api: Api, review: str) -> None:
    request_id = "e2e-" + secrets.token_hex(8)
    position = await key_position(api)
    path = f"/api/v1/positions/{position}/successors"
    answer = await api.request(ADMIN, "GET", path, headers={"X-Request-ID": request_id})
    assert ok(answer)["candidates"] is not None
    assert answer.headers["x-request-id"] == request_id

    async def logged() -> dict[str, list[dict[str, Any]]]:
        return {name: log_lines(stack, name, request_id) for name in ("gateway", "scoring", "registry")}

    found = await until(logged, lambda by: all(by.values()), 10)
    routes = {name: {line.get("route") for line in lines} for name, lines in found.items()}
    assert "/api/v1/positions/{position_id}/successors" in routes["gateway"]
    assert "/v1/positions/{position_id}/successors" in routes["scoring"]
    assert routes["registry"] & {"/v1/positions/{position_id}", "/v1/scoring-inputs"}
    for name, lines in found.items():
        for line in lines:
            assert (line["request_id"], line["service"]) == (request_id, name)
            assert {"ts", "level", "logger", "message"} <= line.keys()
            assert not NIP_LIKE.search(json.dumps(line)), f"personal data in the {name} log: {line}"


async def trickle(stack: Stack, instance: str, method: str, path: str, body: bytes, headers: dict[str, str]) -> bytes:
    """Send a request whose body arrives in two parts, with SIGTERM to `instance` in between; its answer."""
    reader, writer = await asyncio.open_connection("127.0.0.1", stack.ports[instance])
    head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
    head += f"Content-Length: {len(body)}\r\nConnection: close\r\n"
    head += "".join(f"{name}: {value}\r\n" for name, value in headers.items()) + "\r\n"
    writer.write(head.encode() + body[:10])
    await writer.drain()
    await asyncio.sleep(0.3)  # the request is in flight: headers in, body still coming
    stack.signal(instance, signal.SIGTERM)
    await asyncio.sleep(0.5)
    assert stack.processes[instance].poll() is None, f"{instance} must wait for its request in flight"
    writer.write(body[10:])
    await writer.drain()
    answer = await asyncio.wait_for(reader.read(), 30)
    writer.close()
    return answer


@pytest.mark.parametrize(
    ("instance", "method", "path", "body", "status"),
    [
        ("registry", "PUT", f"/v1/employees/{DEMO_EMPLOYEE_NIP}/performance-ratings/2021",
         {"work_result": "meets", "work_behavior": "above"}, 201),
        ("scoring", "POST", "/v1/talent-reviews", {"agency_id": TANGGAMUS, "period": 2022}, 202),
    ],
)  # fmt: skip
async def test_sigterm_lets_the_request_in_flight_finish_then_the_service_stops(
    stack: Stack, api: Api, instance: str, method: str, path: str, body: dict[str, Any], status: int
) -> None:
    headers = service_headers(instance)
    try:
        answer = await trickle(stack, instance, method, path, json.dumps(body).encode(), headers)
        assert answer.startswith(f"HTTP/1.1 {status} ".encode()), answer[:500]
        code = await asyncio.to_thread(stack.processes[instance].wait, 60)
        assert code in (0, -signal.SIGTERM)
        assert "Application shutdown complete" in stack.log_tail(instance)
    finally:
        if stack.processes[instance].poll() is not None:
            await asyncio.to_thread(stack.restart, instance)
    written = json.loads(answer.split(b"\r\n\r\n", 1)[1])
    # The gateway's circuit breaker may have opened while the service was away (its background feed polls it
    # too); it lets calls through again within its reset time, by itself.
    probe = "/api/v1/talent-reviews" if instance == "scoring" else "/api/v1/agencies"
    await until(lambda: api.get(ADMIN, probe), lambda answer: answer.status_code == 200, 15, 0.5)
    if instance == "registry":  # the write that was in flight is there after the restart
        ratings = ok(await api.get(ADMIN, f"/api/v1/employees/{DEMO_EMPLOYEE_NIP}/performance-ratings"))["items"]
        assert {"year": 2021, "predikat": written["predikat"]}.items() <= next(
            r for r in ratings if r["year"] == 2021
        ).items()
    else:  # the review accepted while stopping is run by the restarted service
        done = await api.wait_for_job("national.admin", f"/api/v1/talent-reviews/{written['id']}")
        assert done["status"] == "completed"
