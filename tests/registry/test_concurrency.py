"""Two real concurrent writers with the same ETag on PostgreSQL (committed transactions): one wins, one gets 412."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy.ext.asyncio import create_async_engine

from services.common.db import create_sessionmaker
from services.registry.app import create_app
from tests.registry.conftest import Api, migrated_database, settings_for
from tests.registry.factory import Org, make_employee, make_org, nip, ok


@pytest.fixture(scope="module")
async def committed_api() -> AsyncIterator[Api]:
    """A registry on its own database whose requests really commit (no test transaction around them)."""
    url = await migrated_database("talenta_test_registry_concurrency")
    app = create_app(settings_for(url))
    app.state.engine = create_async_engine(url, pool_size=10)
    app.state.sessionmaker = create_sessionmaker(app.state.engine)
    transport = httpx.ASGITransport(app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://registry") as client:
        yield Api(client)
    await app.state.engine.dispose()


@pytest.fixture(scope="module")
async def committed_org(committed_api: Api) -> Org:
    return await make_org(committed_api)


async def test_concurrent_patches_with_the_same_etag(committed_api: Api, committed_org: Org) -> None:
    person = await make_employee(committed_api, nip(seq="101"), committed_org.a["id"])
    etag = '"1"'
    for round_ in range(5):
        names = [f"Nama {round_}-{i}" for i in range(2)]
        responses = await asyncio.gather(
            *(
                committed_api.patch(f"/v1/employees/{person['nip']}", json={"name": n}, headers={"If-Match": etag})
                for n in names
            )
        )
        statuses = sorted(r.status_code for r in responses)
        assert statuses == [200, 412], [r.text for r in responses]
        winner = next(r for r in responses if r.status_code == 200)
        assert (await committed_api.get(f"/v1/employees/{person['nip']}")).json()["name"] == winner.json()["name"]
        etag = winner.headers["etag"]


async def test_concurrent_rating_replacements(committed_api: Api, committed_org: Org) -> None:
    person = (await make_employee(committed_api, nip(seq="102"), committed_org.a["id"]))["nip"]
    path = f"/v1/employees/{person}/performance-ratings/2025"
    await ok(await committed_api.put(path, json={"work_result": "meets", "work_behavior": "meets"}))
    bodies = [{"work_result": "above", "work_behavior": "above"}, {"work_result": "below", "work_behavior": "below"}]
    responses = await asyncio.gather(*(committed_api.put(path, json=b, headers={"If-Match": '"1"'}) for b in bodies))
    assert sorted(r.status_code for r in responses) == [200, 412]
    versions = await ok(
        await committed_api.get(f"/v1/employees/{person}/performance-ratings", params={"include_superseded": "true"}),
        200,
    )
    assert [r["version"] for r in versions["items"]] == [1, 2]


async def test_concurrent_creates_of_one_nip(committed_api: Api, committed_org: Org) -> None:
    body = {
        "nip": nip(seq="103"),
        "name": "X",
        "employment_type": "pns",
        "agency_id": committed_org.a["id"],
        "rank": "III/a",
    }
    responses = await asyncio.gather(*(committed_api.post("/v1/employees", json=body) for _ in range(3)))
    assert sorted(r.status_code for r in responses) == [201, 409, 409]
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {"employee_exists"}
