"""Forwarding: paths, queries, bodies and headers reach the downstream; answers come back rewritten."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from tests.gateway.conftest import Accounts, TokenFor, bearer, password_token, running, settings_for
from tests.gateway.stub import NIP_A, free_port


@pytest.fixture(scope="module")
async def admin(token_for: TokenFor) -> dict[str, str]:
    return bearer(await token_for(["national_admin"], agency_id=None))


async def test_patch_passes_path_query_body_and_preconditions(client: httpx.AsyncClient, admin: dict[str, str]) -> None:
    response = await client.patch(
        f"/api/v1/employees/{NIP_A}?fields=name",
        json={"name": "Budi"},
        headers={**admin, "If-Match": '"2"', "X-Request-ID": "req-forward-1", "X-Secret-Header": "not forwarded"},
    )
    assert response.status_code == 200
    assert response.headers["etag"] == '"3"'
    assert response.headers["x-request-id"] == "req-forward-1"
    echo = response.json()["echo"]
    assert echo["method"] == "PATCH"
    assert echo["path"] == f"/v1/employees/{NIP_A}"
    assert echo["query"] == "fields=name"
    assert echo["body"] == '{"name":"Budi"}'
    assert echo["headers"]["if-match"] == '"2"'
    assert echo["headers"]["content-type"] == "application/json"
    assert echo["headers"]["x-request-id"] == "req-forward-1"
    assert "x-secret-header" not in echo["headers"]


async def test_post_passes_idempotency_key_and_rewrites_location(
    client: httpx.AsyncClient, admin: dict[str, str], stubs: dict[str, Any]
) -> None:
    response = await client.post(
        "/api/v1/talent-reviews?stub_status=202&stub_location=/v1/talent-reviews/abc",
        json={"agency_id": "pemkab-lampung-barat", "period": 2025},
        headers={**admin, "Idempotency-Key": "k-1"},
    )
    assert response.status_code == 202
    assert response.headers["location"] == "/api/v1/talent-reviews/abc"
    echo = response.json()["echo"]
    assert echo["headers"]["idempotency-key"] == "k-1"
    assert stubs["scoring"].state.calls[-1]["path"] == "/v1/talent-reviews"
    absolute = await client.post(
        f"/api/v1/siasn/syncs?stub_status=202&stub_location={stubs['registry_url']}/v1/siasn/syncs/s1",
        json={"nips": [NIP_A]},
        headers=admin,
    )
    assert absolute.headers["location"] == "/api/v1/siasn/syncs/s1"


async def test_routing_between_registry_and_scoring(
    client: httpx.AsyncClient, admin: dict[str, str], stubs: dict[str, Any]
) -> None:
    expectations = {
        "/api/v1/positions/p1/successors": "scoring",
        "/api/v1/agencies/a1/succession-overview": "scoring",
        f"/api/v1/employees/{NIP_A}/talent": "scoring",
        "/api/v1/scoring-policies": "scoring",
        "/api/v1/positions/p1": "registry",
        f"/api/v1/employees/{NIP_A}/history": "registry",
        "/api/v1/agencies/a1/units": "registry",
    }
    for path, service in expectations.items():
        before = len(stubs[service].state.calls)
        assert (await client.get(path, headers=admin)).status_code == 200
        assert len(stubs[service].state.calls) == before + 1, path
        assert stubs[service].state.calls[-1]["path"] == path.removeprefix("/api")


async def test_import_is_streamed_through(
    client: httpx.AsyncClient, admin: dict[str, str], stubs: dict[str, Any]
) -> None:
    payload = b"nip,name\n" + b"198609262015051001,Budi\n" * 200_000  # ~4.8 MB
    response = await client.post(
        "/api/v1/imports?stub_status=202&stub_location=/v1/imports/i1",
        files={"file": ("people.csv", payload, "text/csv")},
        data={"kind": "employees", "agency_id": "pemkab-lampung-barat"},
        headers=admin,
    )
    assert response.status_code == 202
    assert response.headers["location"] == "/api/v1/imports/i1"
    call = stubs["registry"].state.calls[-1]
    assert call["headers"]["content-type"].startswith("multipart/form-data; boundary=")
    assert call["body_size"] > len(payload)


async def test_an_upload_over_the_gateways_limit_is_import_too_large_naming_it(
    gateway_db: str, stubs: dict[str, Any]
) -> None:
    """The code IMPORTS.md documents for a file over the limit, whichever service's limit it is over."""
    async with running(settings_for(gateway_db, stubs, max_import_bytes=64 * 1024)) as (app, client):
        username = await Accounts(app).user(["national_admin"], agency_id=None)
        headers = bearer((await password_token(client, username))["access_token"])
        calls = len(stubs["registry"].state.calls)
        upload = await client.post(
            "/api/v1/imports",
            files={"file": ("people.csv", b"nip,name\n" + b"198609262015051001,Budi\n" * 4000, "text/csv")},
            data={"kind": "employees", "agency_id": "pemkab-lampung-barat"},
            headers=headers,
        )
        assert (upload.status_code, upload.json()["code"]) == (413, "import_too_large")
        assert "limit of 65536 bytes" in upload.json()["detail"]
        assert len(stubs["registry"].state.calls) == calls  # refused before anything reached the registry
        body = await client.post("/api/v1/employees", json={"name": "x" * 2_000_000}, headers=headers)
        assert (body.status_code, body.json()["code"]) == (413, "payload_too_large")


async def test_svg_passes_its_media_type(client: httpx.AsyncClient, admin: dict[str, str]) -> None:
    response = await client.get("/api/v1/talent-reviews/r1/nine-box.svg", headers=admin)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert response.content.startswith(b"<svg")


async def test_downstream_problem_passes_through(client: httpx.AsyncClient, admin: dict[str, str]) -> None:
    response = await client.get("/api/v1/employees/199912312020121999", headers=admin)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("transport", ["httpx", "aiohttp"])
async def test_dead_downstream_is_a_fast_503_while_the_other_works(
    gateway_db: str, stubs: dict[str, Any], transport: str
) -> None:
    settings = settings_for(gateway_db, stubs, scoring_url=f"http://127.0.0.1:{free_port()}", http_transport=transport)
    async with running(settings) as (app, client):
        username = await Accounts(app).user(["national_admin"], agency_id=None)
        headers = bearer((await password_token(client, username))["access_token"])
        started = time.perf_counter()
        dead = await client.get("/api/v1/talent-reviews/r1", headers=headers)
        elapsed = time.perf_counter() - started
        assert dead.status_code == 503
        assert dead.headers["content-type"] == "application/problem+json"
        assert dead.json()["code"] == "upstream_unavailable"
        assert elapsed < 1.0
        assert (await client.get(f"/api/v1/employees/{NIP_A}", headers=headers)).status_code == 200


@pytest.mark.parametrize("transport", ["httpx", "aiohttp"])
async def test_slow_downstream_is_a_504(gateway_db: str, stubs: dict[str, Any], transport: str) -> None:
    settings = settings_for(gateway_db, stubs, downstream_read_timeout_seconds=0.3, http_transport=transport)
    async with running(settings) as (app, client):
        username = await Accounts(app).user(["national_admin"], agency_id=None)
        headers = bearer((await password_token(client, username))["access_token"])
        started = time.perf_counter()
        slow = await client.get("/api/v1/units/u1?stub_sleep=4", headers=headers)
        assert slow.status_code == 504
        assert slow.json()["code"] == "upstream_timeout"
        assert time.perf_counter() - started < 2.5  # the 0.3 s timeout, not the stub's 4 s (a busy CI box is slow)


async def test_encoded_segments_cannot_reach_other_routes(
    client: httpx.AsyncClient, admin: dict[str, str], stubs: dict[str, Any]
) -> None:
    calls = stubs["scoring"].state.calls
    for raw in ("/api/v1/positions/%2E%2E/successors", "/api/v1/positions/.%2E/successors"):
        assert (await client.get(raw, headers=admin)).status_code == 404
    before = len(calls)
    response = await client.get("/api/v1/positions/a%3Fb%23c/successors", headers=admin)
    assert response.status_code == 200
    assert len(calls) == before + 1
    assert calls[-1]["path"] == "/v1/positions/a%3Fb%23c/successors"
    assert calls[-1]["query"] == ""
