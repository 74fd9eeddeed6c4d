"""`make run`'s embedded backend: migrations, a review run by the in-process worker, and the demo CLI on SQLite."""

from __future__ import annotations

import asyncio
import pathlib

import httpx
import pytest
from sqlalchemy.ext.asyncio import create_async_engine

from services.common.migrations import upgrade_to_head
from services.registry.app import create_app as create_registry_app
from services.registry.demo import DemoDataset, seed
from services.scoring.app import create_app
from services.scoring.demo.cli import main as demo_main
from services.scoring.settings import get_settings
from tests.gateway.stub import serve
from tests.scoring.conftest import ROOT, SECRET, Api, registry_settings, running, scoring_settings


async def _seeded_registry(path: pathlib.Path) -> str:
    url = f"sqlite+aiosqlite:///{path}"
    await asyncio.to_thread(upgrade_to_head, ROOT / "services" / "registry", url)
    engine = create_async_engine(url)
    try:
        await seed(engine, DemoDataset(people_per_agency=150))
    finally:
        await engine.dispose()
    return url


async def test_reviews_and_the_demo_on_sqlite(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    registry_url = await _seeded_registry(tmp_path / "registry.db")
    scoring_url = f"sqlite+aiosqlite:///{tmp_path / 'scoring.db'}"
    await asyncio.to_thread(upgrade_to_head, ROOT / "services" / "scoring", scoring_url)
    registry_app = create_registry_app(registry_settings(registry_url))
    transport = httpx.ASGITransport(registry_app, raise_app_exceptions=False)
    scoring_app = create_app(scoring_settings(scoring_url, run_worker=True), registry_transport=transport)
    monkeypatch.setenv("SCORING_SERVICE_TOKEN_SECRET", SECRET)
    get_settings.cache_clear()
    try:
        async with running(registry_app), serve(scoring_app) as url:
            assert await asyncio.to_thread(demo_main, ["--scoring-url", url, "--timeout", "120"]) == 0
            async with httpx.AsyncClient(base_url=url) as client:
                api = Api(client, "scoring")
                reviews = (await api.get("/v1/talent-reviews")).json()["items"]
                assert sorted(r["status"] for r in reviews) == ["completed", "completed"]
                assert sorted(r["finalized"] for r in reviews) == [False, True]
                for review in reviews:
                    assert review["summary"]["total"] == review["rows_total"] > 0
                    page = (await api.get(f"/v1/talent-reviews/{review['id']}/placements?limit=500")).json()
                    assert len(page["items"]) == review["rows_total"]
                    grid = (await api.get(f"/v1/talent-reviews/{review['id']}/nine-box")).json()
                    assert grid["total"] == review["rows_total"]
                # Idempotent on a later start: nothing new is started or finalized.
                assert await asyncio.to_thread(demo_main, ["--scoring-url", url, "--timeout", "60"]) == 0
                again = (await api.get("/v1/talent-reviews")).json()["items"]
                fields = ("id", "status", "finalized_at", "decree_number", "completed_at")
                assert [[r[f] for f in fields] for r in again] == [[r[f] for f in fields] for r in reviews]
    finally:
        get_settings.cache_clear()
