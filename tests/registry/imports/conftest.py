"""Import test fixtures: a registry on its own PostgreSQL database whose requests and jobs really commit."""

from __future__ import annotations

import asyncio
import pathlib
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from services.registry.app import create_app
from services.registry.models import Agency, Position, Unit
from services.registry.settings import RegistrySettings
from tests.registry.conftest import SECRET, Api, migrated_database
from tests.registry.factory import make_agency, make_position, make_unit, ok

EXAMPLES = pathlib.Path(__file__).resolve().parents[3] / "docs" / "imports"
MAX_IMPORT_BYTES = 256 * 1024


def bulk_settings(url: str, import_dir: pathlib.Path, **overrides: Any) -> RegistrySettings:
    """Registry settings for import tests: small limits, so the limits themselves are tested."""
    values: dict[str, Any] = {
        "database_url": url,
        "environment": "test",
        "log_format": "text",
        "log_level": "WARNING",
        "service_token_secret": SECRET,
        "import_dir": str(import_dir),
        "max_import_bytes": MAX_IMPORT_BYTES,
        "import_batch_rows": 100,
        "import_max_stored_errors": 50,
    }
    return RegistrySettings(**(values | overrides))


async def running_app(settings: RegistrySettings) -> AsyncIterator[tuple[FastAPI, Api]]:
    """The app with its lifespan (engine, sessions, import runner) started, and a client."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://registry") as client:
            yield app, Api(client)


@pytest.fixture(scope="package")
async def bulk_url() -> str:
    return await migrated_database("talenta_test_bulk_imports")


@pytest.fixture(scope="package")
async def bulk(bulk_url: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[tuple[FastAPI, Api]]:
    async for pair in running_app(bulk_settings(bulk_url, tmp_path_factory.mktemp("imports"))):
        yield pair


@pytest.fixture
def bulk_app(bulk: tuple[FastAPI, Api]) -> FastAPI:
    return bulk[0]


@pytest.fixture
def bulk_api(bulk: tuple[FastAPI, Api]) -> Api:
    return bulk[1]


async def upload(
    api: Api,
    kind: str,
    agency: str,
    content: bytes | str,
    *,
    filename: str = "data.csv",
    mode: str | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    """POST /v1/imports with one file."""
    data = {"kind": kind, "agency_id": agency} | ({"mode": mode} if mode else {})
    body = content.encode() if isinstance(content, str) else content
    return await api.post("/v1/imports", data=data, files={"file": (filename, body, "text/csv")}, headers=headers)


async def finished(api: Api, response: httpx.Response, wait_seconds: float = 60) -> dict[str, Any]:
    """The job of a 202 answer, polled until it completed or failed."""
    assert response.status_code == 202, response.text
    location = response.headers["location"]
    async with asyncio.timeout(wait_seconds):
        while True:
            job = await ok(await api.get(location), 200)
            if job["status"] in ("completed", "failed"):
                return job
            await asyncio.sleep(0.02)


async def run_import(api: Api, kind: str, agency: str, content: bytes | str, **kw: Any) -> dict[str, Any]:
    """Upload and wait for the job's end."""
    return await finished(api, await upload(api, kind, agency, content, **kw))


async def fresh_org(api: Api) -> dict[str, Any]:
    """An agency of its own (codes are unique per test), with two units and positions of several levels."""
    code = "pemkab-bulk-" + uuid.uuid4().hex[:8]
    agency = await make_agency(api, code)
    setda = await make_unit(api, agency["id"], "Sekretariat Daerah", code="SETDA")
    dinas = await make_unit(api, agency["id"], "Dinas Pendidikan", code="DISDIK")
    return {
        "agency": agency,
        "code": code,
        "setda": setda,
        "dinas": dinas,
        "jpt": await make_position(api, agency["id"], setda["id"], "jpt_pratama", name="Sekretaris Daerah"),
        "admin": await make_position(api, agency["id"], dinas["id"], "administrator", name="Kepala Bidang SD"),
        "pelaksana": await make_position(api, agency["id"], dinas["id"], "pelaksana", name="Pengadministrasi Umum"),
        "ahli_muda": await make_position(
            api,
            agency["id"],
            dinas["id"],
            "fungsional",
            functional_level="ahli_muda",
            name="Analis Kebijakan Ahli Muda",
        ),
    }


async def small_org(engine: AsyncEngine, prefix: str) -> tuple[str, str, str]:
    """A new agency (code `prefix`-random) with one unit and one pelaksana position, written directly (for tests of
    the upserts, which take no HTTP); (agency id, unit id, position id)."""
    async with AsyncSession(engine, expire_on_commit=False) as session:
        agency = Agency(code=f"{prefix}-{uuid.uuid4().hex[:8]}", name="Pemkab Uji")
        session.add(agency)
        await session.flush()
        unit = Unit(agency_id=agency.id, name="Dinas Pendidikan", code="DISDIK")
        session.add(unit)
        await session.flush()
        position = Position(agency_id=agency.id, unit_id=unit.id, name="Pengadministrasi Umum",
                            position_type="pelaksana", level="pelaksana")  # fmt: skip
        session.add(position)
        await session.commit()
        return agency.id, unit.id, position.id
