"""The embedded SQLite setup of `make run`: migrated, seeded, and answering the API (reads and a write)."""

from __future__ import annotations

import asyncio
import pathlib
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from services.common.db import create_database_engine, create_sessionmaker
from services.common.migrations import upgrade_to_head
from services.registry.app import create_app
from services.registry.demo import FIXED_NIP, DemoDataset, seed
from tests.registry.conftest import REGISTRY_DIR, Api, settings_for
from tests.registry.factory import ok


@pytest.fixture
async def sqlite_api(tmp_path: pathlib.Path) -> AsyncIterator[Api]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'registry.db'}"
    await asyncio.to_thread(upgrade_to_head, REGISTRY_DIR, url)
    app: FastAPI = create_app(settings_for(url))
    engine = create_database_engine(app.state.settings)
    app.state.engine, app.state.sessionmaker = engine, create_sessionmaker(engine)
    await seed(engine, DemoDataset(people_per_agency=40))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://registry") as client:
        yield Api(client)
    await engine.dispose()


async def test_registry_on_sqlite(sqlite_api: Api) -> None:
    person = await ok(await sqlite_api.get(f"/v1/employees/{FIXED_NIP}"), 200)
    assert person["birth_date"] == "1986-09-26"
    assert person["created_at"].endswith("Z")
    listed = await ok(await sqlite_api.get("/v1/employees", params={"agency_id": "pemkab-tanggamus", "limit": 15}), 200)
    assert len(listed["items"]) == 15
    assert listed["next_cursor"]
    changed = await sqlite_api.patch(
        f"/v1/employees/{FIXED_NIP}", json={"rank": "III/d", "rank_since": "2027-04-01"}, headers={"If-Match": '"1"'}
    )
    assert changed.status_code == 200, changed.text
    history = await ok(await sqlite_api.get(f"/v1/employees/{FIXED_NIP}/history"), 200)
    assert [r["rank"] for r in history["ranks"]] == ["III/a", "III/b", "III/c", "III/d"]
    rating = await sqlite_api.put(
        f"/v1/employees/{FIXED_NIP}/performance-ratings/2025",
        json={"work_result": "meets", "work_behavior": "meets"},
        headers={"If-Match": '"1"'},
    )
    assert (rating.status_code, rating.json()["version"]) == (200, 2)
