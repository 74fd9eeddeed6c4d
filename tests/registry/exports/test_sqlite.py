"""The SQLite path (`make run`) answers byte for byte what PostgreSQL's COPY answers, for the same data."""

from __future__ import annotations

import asyncio
import pathlib

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import create_async_engine

from services.common.migrations import upgrade_to_head
from services.registry.models import metadata
from tests.registry.conftest import REGISTRY_DIR, Api
from tests.registry.exports.conftest import AGENCY, World
from tests.registry.imports.conftest import bulk_settings, running_app

QUERIES = [
    {"agency_id": AGENCY, "period": 2025},
    {"period": 2025},
    {"agency_id": AGENCY, "period": 2020, "sanction_lookback_years": 2, "award_lookback_years": 1},
    {"agency_id": AGENCY, "period": 2026, "as_of": "2026-06-30", "levels": "administrator,pelaksana,ahli_muda"},
    {"agency_id": AGENCY, "period": 2015},
]


async def copy_database(source_url: str, target_url: str) -> None:
    """Every registry table's rows, ids included, from one database into another (migrated, empty)."""
    source, target = create_async_engine(source_url), create_async_engine(target_url)
    async with source.connect() as reading, target.begin() as writing:
        for table in metadata.sorted_tables:
            rows = [dict(r) for r in (await reading.execute(select(table))).mappings()]
            if rows:
                await writing.execute(table.insert(), rows)
    await source.dispose()
    await target.dispose()


async def csv_bytes(api: Api, params: dict[str, object]) -> bytes:
    response = await api.get("/v1/scoring-inputs", params=params)
    assert response.status_code == 200, response.text
    return response.content


@pytest.fixture(scope="package")
async def sqlite_api(world: World, tmp_path_factory: pytest.TempPathFactory) -> object:
    folder = tmp_path_factory.mktemp("sqlite")
    url = f"sqlite+aiosqlite:///{folder / 'registry.db'}"
    await asyncio.to_thread(upgrade_to_head, REGISTRY_DIR, url)
    await copy_database(world.url, url)
    async for _, api in running_app(bulk_settings(url, pathlib.Path(folder) / "imports")):
        yield api


@pytest.mark.parametrize("params", QUERIES, ids=["agency", "national", "short-lookback", "as-of-levels", "2015"])
async def test_sqlite_export_is_identical(world: World, sqlite_api: Api, params: dict[str, object]) -> None:
    postgres = await csv_bytes(world.api, params)
    sqlite = await csv_bytes(sqlite_api, params)
    assert postgres.count(b"\n") > 1
    assert sqlite == postgres
