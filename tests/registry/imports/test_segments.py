"""Imports written segment by segment while the file is read (PostgreSQL, job.write_in_segments), with segments of
100 rows here: the outcome is the whole file's, a bad row in a later segment of an atomic import leaves nothing
written, and a key met twice (across segments) sends the file to the whole-file path, which refuses both rows."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from services.registry.imports import job
from services.registry.imports.upsert import EmployeeUpsert, RecordUpsert
from tests.registry.conftest import Api, migrated_database
from tests.registry.factory import nip
from tests.registry.imports.conftest import bulk_settings, fresh_org, run_import, running_app

SEGMENT = 100  # rows; the import tests read batches of 100 rows, so each batch is a segment
HEADER = "nip,name,employment_type,position_id,position_since,rank,rank_since,education_level\n"


@pytest.fixture(scope="module")
async def segments_url() -> str:
    return await migrated_database("talenta_test_bulk_segments")


@pytest.fixture(scope="module")
async def api(segments_url: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Api]:
    settings = bulk_settings(segments_url, tmp_path_factory.mktemp("segments"), import_segment_rows=SEGMENT)
    async for _, client in running_app(settings):
        yield client


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """How often the whole-file path ran, and how many segments each upsert wrote."""
    counted = {"whole_file": 0, "segments": 0}
    whole_file = job.write_whole_file

    async def counting_whole_file(*args: Any, **kwargs: Any) -> Any:
        counted["whole_file"] += 1
        return await whole_file(*args, **kwargs)

    monkeypatch.setattr(job, "write_whole_file", counting_whole_file)
    for upsert in (EmployeeUpsert, RecordUpsert):
        write = upsert.write

        async def counting_write(self: Any, *args: Any, _write: Any = write, **kwargs: Any) -> Any:
            counted["segments"] += bool(kwargs.get("keep_stage"))
            return await _write(self, *args, **kwargs)

        monkeypatch.setattr(upsert, "write", counting_write)
    return counted


def nips(tmt: str, count: int) -> list[str]:
    return [nip(birth="19770303", tmt=tmt, seq=f"{i:03d}") for i in range(count)]


def people(numbers: list[str], bad: int | None = None) -> str:
    """An employees file; row `bad` (0-based) names a position the agency does not have."""
    lines = [
        f"{n},Pegawai {i},pns,{'Jabatan Tak Ada' if i == bad else 'Pengadministrasi Umum'},2020-01-02,II/c,"
        "2019-04-01,sma\n"
        for i, n in enumerate(numbers)
    ]
    return HEADER + "".join(lines)


async def count(url: str, query: str, numbers: list[str]) -> int:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            return int((await connection.execute(text(query), {"nips": numbers})).scalar_one())
    finally:
        await engine.dispose()


EMPLOYEES = "SELECT count(*) FROM employees WHERE nip = ANY(:nips)"
POSITIONS = "SELECT count(*) FROM position_history WHERE nip = ANY(:nips)"
EVENTS = "SELECT count(*) FROM outbox_events WHERE substr(subject, 11) = ANY(:nips)"


async def test_a_clean_file_is_written_in_segments(api: Api, segments_url: str, calls: dict[str, int]) -> None:
    org = await fresh_org(api)
    numbers = nips("201201", 350)
    job_state = await run_import(api, "employees", org["code"], people(numbers))
    assert (job_state["status"], job_state["rows_total"], job_state["rows_created"]) == ("completed", 350, 350)
    assert calls == {"whole_file": 0, "segments": 4}
    for query in (EMPLOYEES, POSITIONS, EVENTS):
        assert await count(segments_url, query, numbers) == 350
    again = await run_import(api, "employees", org["code"], people(numbers))
    assert (again["status"], again["rows_unchanged"], again["rows_created"]) == ("completed", 350, 0)
    ratings = "NIP,Tahun,Hasil Kerja,Perilaku Kerja\n" + "".join(
        f"{n},{year},Sesuai Ekspektasi,Diatas Ekspektasi\n" for year in (2024, 2025) for n in numbers
    )
    rated = await run_import(api, "performance-ratings", org["code"], ratings)
    assert (rated["status"], rated["rows_created"]) == ("completed", 700)
    assert calls["whole_file"] == 0
    assert await count(segments_url, "SELECT count(*) FROM performance_ratings WHERE nip = ANY(:nips)", numbers) == 700


async def test_partial_import_writes_around_a_bad_row_of_a_later_segment(
    api: Api, segments_url: str, calls: dict[str, int]
) -> None:
    org = await fresh_org(api)
    numbers = nips("201202", 250)
    state = await run_import(api, "employees", org["code"], people(numbers, bad=230), mode="partial")
    assert (state["status"], state["rows_written"], state["error_count"]) == ("completed", 249, 1)
    assert [(e["row"], e["field"], e["code"]) for e in state["errors"]] == [(232, "position_id", "unknown_position")]
    assert calls["whole_file"] == 0
    assert await count(segments_url, EMPLOYEES, numbers) == 249


async def test_atomic_import_with_a_bad_row_in_a_later_segment_writes_nothing(
    api: Api, segments_url: str, calls: dict[str, int]
) -> None:
    org = await fresh_org(api)
    numbers = nips("201203", 250)
    state = await run_import(api, "employees", org["code"], people(numbers, bad=230))
    assert (state["status"], state["rows_written"], state["error_count"]) == ("failed", 0, 1)
    assert [(e["row"], e["code"]) for e in state["errors"]] == [(232, "unknown_position")]
    assert calls["whole_file"] == 1  # the segments written before the bad row were rolled back
    for query in (EMPLOYEES, POSITIONS, EVENTS):
        assert await count(segments_url, query, numbers) == 0


async def test_a_key_met_again_in_a_later_segment_refuses_both_rows(
    api: Api, segments_url: str, calls: dict[str, int]
) -> None:
    org = await fresh_org(api)
    numbers = nips("201204", 250)
    content = people(numbers) + people([numbers[5]])[len(HEADER) :]  # row 252 repeats row 7
    state = await run_import(api, "employees", org["code"], content, mode="partial")
    assert (state["status"], state["rows_total"], state["rows_written"]) == ("completed", 251, 249)
    assert [(e["row"], e["code"]) for e in state["errors"]] == [(7, "duplicate_in_file"), (252, "duplicate_in_file")]
    assert calls["whole_file"] == 1
    assert await count(segments_url, EMPLOYEES, numbers) == 249
    assert await count(segments_url, EVENTS, numbers) == 249  # no event of a row written, then rolled back


async def test_a_record_key_met_again_in_a_later_segment_refuses_both_rows(api: Api, calls: dict[str, int]) -> None:
    org = await fresh_org(api)
    numbers = nips("201205", 150)
    assert (await run_import(api, "employees", org["code"], people(numbers)))["rows_created"] == 150
    rows = [f"{n},2025,Sesuai Ekspektasi,Sesuai Ekspektasi\n" for n in numbers] + [
        f"{numbers[3]},2025,Diatas Ekspektasi,Sesuai Ekspektasi\n"
    ]
    content = "NIP,Tahun,Hasil Kerja,Perilaku Kerja\n" + "".join(rows)
    state = await run_import(api, "performance-ratings", org["code"], content, mode="partial")
    assert (state["rows_total"], state["rows_written"]) == (151, 149)
    assert [(e["row"], e["code"]) for e in state["errors"]] == [(5, "duplicate_in_file"), (152, "duplicate_in_file")]
    assert calls["whole_file"] == 1


async def test_atomic_import_with_a_row_the_database_refuses_in_the_last_segment_writes_nothing(
    api: Api, segments_url: str, calls: dict[str, int]
) -> None:
    other, org = await fresh_org(api), await fresh_org(api)
    numbers = nips("201206", 250)
    assert (await run_import(api, "employees", other["code"], people(numbers[240:241])))["rows_created"] == 1
    state = await run_import(api, "employees", org["code"], people(numbers))  # row 242: another agency's person
    assert (state["status"], state["rows_written"], state["error_count"]) == ("failed", 0, 1)
    assert [(e["row"], e["code"]) for e in state["errors"]] == [(242, "nip_in_other_agency")]
    assert calls["whole_file"] == 1
    assert await count(segments_url, EMPLOYEES, numbers) == 1
