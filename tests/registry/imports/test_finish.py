"""A job's outcome outlives a database that refuses it for a moment: recorded once it answers, the upload gone."""

from __future__ import annotations

import pathlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from fastapi import FastAPI
from sqlalchemy.exc import PendingRollbackError
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.imports import service
from tests.registry.conftest import Api
from tests.registry.factory import ok
from tests.registry.imports.conftest import fresh_org, run_import


class RefusingMaker:
    """Sessions of the app, the first `refusals` of them refused as PostgreSQL refuses a database it closed."""

    def __init__(self, app: FastAPI, refusals: int) -> None:
        self.maker = app.state.sessionmaker
        self.refusals = refusals
        self.calls = 0

    @asynccontextmanager
    async def __call__(self) -> AsyncIterator[AsyncSession]:
        self.calls += 1
        if self.calls <= self.refusals:
            raise ConnectionRefusedError("database is not currently accepting connections")
        async with self.maker() as session:
            yield session


async def test_the_outcome_waits_for_the_database_and_the_upload_is_deleted(
    bulk_app: FastAPI, bulk_api: Api, tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service, "FINISH_RETRY_SECONDS", 0.01)
    org = await fresh_org(bulk_api)
    bad_row = "NIP,Tanggal Penghargaan,Nama Penghargaan,Tingkat\nx,y,z,w\n"
    job = await run_import(bulk_api, "awards", org["code"], bad_row)  # a real job, ended at once
    upload = tmp_path / "job.csv"
    upload.write_text("nip\n")
    maker = RefusingMaker(bulk_app, refusals=3)
    final = {"status": "failed", "detail": "The database went away.", "rows_written": 0}
    await service.finish(maker, job["id"], final, upload)  # type: ignore[arg-type]
    assert maker.calls == 4
    recorded = await ok(await bulk_api.get(f"/v1/imports/{job['id']}"), 200)
    assert (recorded["status"], recorded["detail"]) == ("failed", "The database went away.")
    assert not upload.exists()


async def test_past_its_patience_the_outcome_gives_up_and_the_upload_is_still_deleted(
    bulk_app: FastAPI, tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service, "FINISH_RETRY_SECONDS", 0.01)
    monkeypatch.setattr(service, "FINISH_PATIENCE_SECONDS", 0.05)
    upload = tmp_path / "job.csv"
    upload.write_text("nip\n")
    maker = RefusingMaker(bulk_app, refusals=10_000)
    with pytest.raises(ConnectionRefusedError):
        await service.finish(maker, "01a00000-0000-7000-8000-000000000000", {"status": "failed"}, upload)  # type: ignore[arg-type]
    assert not upload.exists()  # the keeper marks the job failed later; no personal data waits on disk for it


async def test_a_job_that_wrote_is_completed_with_its_rows_even_if_its_outcome_is_never_recorded(
    bulk_api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def refused(*_: object) -> None:
        raise ConnectionRefusedError("database is not currently accepting connections")

    monkeypatch.setattr(service, "_record_final", refused)  # the database goes away as the job ends, for good
    org = await fresh_org(bulk_api)
    job = await run_import(
        bulk_api, "units", org["code"], "Kode,Nama\nBKPSDM,Badan Kepegawaian\nDISKES,Dinas Kesehatan\n"
    )
    assert (job["status"], job["rows_written"], job["rows_created"]) == ("completed", 2, 2)
    assert job["finished_at"] is not None


async def test_a_job_whose_database_connection_is_lost_midway_says_so(
    bulk_api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLAlchemy raises PendingRollbackError for the statement after a lost connection: that is the database going
    away (upload again), not a bug to quote to support."""

    async def lost(*_: object) -> None:
        raise PendingRollbackError("Can't reconnect until invalid transaction is rolled back.", code="8s2b")

    monkeypatch.setattr(service, "run_job", lost)
    org = await fresh_org(bulk_api)
    job = await run_import(bulk_api, "units", org["code"], "Kode,Nama\nBKPSDM,Badan Kepegawaian\n")
    assert (job["status"], job["rows_written"]) == ("failed", 0)
    assert job["detail"] == service.DATABASE_LOST
