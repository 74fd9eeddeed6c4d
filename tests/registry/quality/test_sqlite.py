"""The national-view additions on the embedded SQLite database: the same data-quality figures and events."""

from __future__ import annotations

import asyncio
import pathlib
from collections.abc import AsyncIterator

import httpx
import pytest

from services.common.db import create_database_engine, create_sessionmaker
from services.common.migrations import upgrade_to_head
from services.registry.app import create_app
from tests.registry.conftest import REGISTRY_DIR, Api, settings_for
from tests.registry.factory import make_org, nip, ok
from tests.registry.quality.test_data_quality import EXPECTED_A, PERIOD, _counts, _world


@pytest.fixture
async def sqlite_api(tmp_path: pathlib.Path) -> AsyncIterator[Api]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'registry.db'}"
    await asyncio.to_thread(upgrade_to_head, REGISTRY_DIR, url)
    app = create_app(settings_for(url))
    engine = create_database_engine(app.state.settings)
    app.state.engine, app.state.sessionmaker = engine, create_sessionmaker(engine)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://registry") as client:
        yield Api(client)
    await engine.dispose()


async def test_data_quality_and_events_on_sqlite(sqlite_api: Api) -> None:
    org = await make_org(sqlite_api)
    await _world(sqlite_api, org)
    body = await ok(await sqlite_api.get(f"/v1/agencies/{org.a['id']}/data-quality", params=PERIOD), 200)
    assert _counts(body) == EXPECTED_A
    feed = await ok(await sqlite_api.get("/v1/events", params={"limit": 1000}), 200)
    changes = [(e["data"]["nip"], e["data"]["change"]) for e in feed["items"]]
    assert changes.count((nip(seq="001"), "created")) == 1
    assert (nip(seq="009"), "deleted") in changes
    assert [e["position"] for e in feed["items"]] == list(range(1, len(changes) + 1))
    assert feed["items"][0]["occurred_at"].endswith("Z")
    assert len(feed["items"][0]["id"]) == 36
