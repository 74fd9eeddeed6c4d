"""Concurrent imports into one agency: no deadlock, no error, and never half of one file mixed with another."""

from __future__ import annotations

import asyncio
import datetime as dt
import socket
import time
from typing import Any

import psutil
import pytest
from sqlalchemy import bindparam, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, create_async_engine

from services.registry.imports import job as job_module
from services.registry.imports.repository import ImportRepository
from services.registry.imports.upsert import EmployeeUpsert
from tests.registry.conftest import Api
from tests.registry.factory import nip, ok
from tests.registry.imports.conftest import bulk_settings, finished, fresh_org, run_import, running_app, upload

PEOPLE = [nip(birth=f"1980{m:02d}{d:02d}", seq="301") for m in range(1, 11) for d in range(1, 26)]  # 250 NIPs


def employees(rank: str, since: str) -> str:
    return "NIP,Nama,Jenis Pegawai,Gol/Ruang,TMT Golongan\n" + "".join(
        f"{n},Pegawai,pns,{rank},{since}\n" for n in PEOPLE
    )


def ratings(result: str) -> str:
    return "NIP,Tahun,Hasil Kerja,Perilaku Kerja\n" + "".join(f"{n},2025,{result},{result}\n" for n in PEOPLE)


async def test_concurrent_imports_into_one_agency(bulk_api: Api) -> None:
    org = await fresh_org(bulk_api)
    jobs = await asyncio.gather(
        run_import(bulk_api, "employees", org["code"], employees("III/a", "2020-01-01")),
        run_import(bulk_api, "employees", org["code"], employees("III/b", "2022-01-01")),
    )
    # Whichever wrote first, the other either changed every person or (backdated) none: never a mix.
    assert {j["status"] for j in jobs} <= {"completed", "failed"}
    assert all("unexpected" not in (j["detail"] or "") for j in jobs), jobs
    assert any(j["status"] == "completed" and j["rows_written"] == len(PEOPLE) for j in jobs)
    ranks = {(await ok(await bulk_api.get(f"/v1/employees/{n}"), 200))["rank"] for n in PEOPLE[::25]}
    assert ranks == {"III/b"}

    jobs = await asyncio.gather(
        run_import(bulk_api, "performance-ratings", org["code"], ratings("above")),
        run_import(bulk_api, "performance-ratings", org["code"], ratings("below")),
    )
    assert [j["status"] for j in jobs] == ["completed", "completed"], jobs
    predikats = set()
    for n in PEOPLE[::25]:
        versions = await ok(
            await bulk_api.get(f"/v1/employees/{n}/performance-ratings", params={"include_superseded": "true"}), 200
        )
        assert [v["version"] for v in versions["items"]] == [1, 2]
        predikats.add(versions["items"][-1]["predikat"])
    assert len(predikats) == 1  # every person ends with the same file's rating


async def test_files_of_an_agency_apply_in_the_order_they_were_accepted(bulk_api: Api) -> None:
    # A clerk uploads the employees, then at once their ratings. The ratings file is read long before the employees
    # file (1 row against 4,000): it must still be checked after the employees are written, or nobody would exist.
    org = await fresh_org(bulk_api)
    day = dt.date(1975, 1, 1)
    people = [nip(birth=(day + dt.timedelta(days=i)).strftime("%Y%m%d"), seq="401") for i in range(4_000)]
    staff = "NIP,Nama,Jenis Pegawai\n" + "".join(f"{n},Pegawai,pns\n" for n in people)
    first = await upload(bulk_api, "employees", org["code"], staff)
    second = await upload(bulk_api, "performance-ratings", org["code"], f"NIP,Tahun,Hasil Kerja,Perilaku Kerja\n"
                          f"{people[-1]},2025,above,meets\n")  # fmt: skip
    rating, employees = await finished(bulk_api, second), await finished(bulk_api, first)
    assert (employees["status"], employees["rows_created"]) == ("completed", len(people)), employees
    assert (rating["status"], rating["rows_created"]) == ("completed", 1), rating


async def test_the_process_reads_one_file_at_a_time(bulk_api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    # Reading is the interpreter's work: two jobs reading at once would only share it; one reads while the other
    # writes instead. Each read is stretched so that two would overlap without the lock.
    spans: list[tuple[float, float]] = []
    read = job_module._read

    async def stretched(*args: Any) -> list[Any]:
        started = time.monotonic()
        await asyncio.sleep(0.2)
        kept = await read(*args)
        spans.append((started, time.monotonic()))
        return kept

    monkeypatch.setattr(job_module, "_read", stretched)
    orgs = [await fresh_org(bulk_api) for _ in range(2)]
    files = ["NIP,Nama,Jenis Pegawai\n" + "".join(f"{nip(birth=f'197001{d:02d}', seq=seq)},Pegawai,pns\n"
                                                   for d in range(1, 29)) for seq in ("501", "502")]  # fmt: skip
    runs = (run_import(bulk_api, "employees", o["code"], f) for o, f in zip(orgs, files, strict=True))
    jobs = await asyncio.gather(*runs)
    assert [(j["status"], j["rows_created"]) for j in jobs] == [("completed", 28)] * 2, jobs
    (_, first_done), (second_started, _) = sorted(spans)
    assert first_done <= second_started


async def test_a_reader_pauses_while_another_job_goes_from_its_read_to_its_write(
    bulk_api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The first job's checks are short statements, each waiting for the event loop, which the second job's reading
    # keeps busy: the second reads no batch from the first one's end of reading to the start of its write, and reads
    # on while it writes. Its checks and write are stretched, and the second file's batches slowed, so that the two
    # would overlap without the pause, and not without its end.
    batches: list[tuple[str, float]] = []  # (agency, started)
    checks: dict[str, tuple[float, float]] = {}
    writes: dict[str, tuple[float, float]] = {}
    produce, check, write = job_module.produce, EmployeeUpsert.check, EmployeeUpsert._write

    def slowed(batches_: Any, kind: str, catalog: Any, upsert: Any) -> Any:
        batches.append((upsert.context.agency_id, time.monotonic()))
        time.sleep(0.03)
        return produce(batches_, kind, catalog, upsert)

    async def stretched(upsert: EmployeeUpsert, session: AsyncSession) -> list[Any]:
        started = time.monotonic()
        await asyncio.sleep(0.3)
        errors = await check(upsert, session)
        checks[upsert.context.agency_id] = (started, time.monotonic())
        return errors

    async def long(upsert: EmployeeUpsert, *args: Any) -> None:
        started = time.monotonic()
        await asyncio.sleep(0.3)
        await write(upsert, *args)
        writes[upsert.context.agency_id] = (started, time.monotonic())

    monkeypatch.setattr(job_module, "produce", slowed)
    monkeypatch.setattr(EmployeeUpsert, "check", stretched)
    monkeypatch.setattr(EmployeeUpsert, "_write", long)
    first, second = [await fresh_org(bulk_api) for _ in range(2)]
    day = dt.date(1976, 1, 1)

    def staff(seq: str, count: int) -> str:
        return "NIP,Nama,Jenis Pegawai\n" + "".join(
            f"{nip(birth=(day + dt.timedelta(days=i)).strftime('%Y%m%d'), seq=seq)},Pegawai,pns\n" for i in range(count)
        )

    # The first file takes 10 slowed batches to read: the second job is waiting to read when it ends.
    answers = [await upload(bulk_api, "employees", first["code"], staff("511", 1_000)),
               await upload(bulk_api, "employees", second["code"], staff("512", 2_000))]  # fmt: skip
    jobs = [await finished(bulk_api, answer) for answer in answers]
    assert [(j["status"], j["rows_created"]) for j in jobs] == [("completed", 1_000), ("completed", 2_000)], jobs
    first_id = first["agency"]["id"]
    begun, ended = checks[first_id]
    others = [t for agency, t in batches if agency != first_id]
    assert min(others) < begun  # the second file was being read before the checks and after them
    assert max(others) > ended
    assert [t for t in others if begun <= t <= ended] == []
    begun, ended = writes[first_id]
    assert [t for t in others if begun <= t <= ended] != []


async def test_a_file_is_checked_on_its_own_before_the_job_waits_its_turn(
    bulk_api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A key twice in the file needs nobody else's data: found while the earlier jobs of the agency still write, so
    # that less is left to do under its lock. An unknown person needs the registry: found after the turn.
    seen: list[str] = []
    add, wait_turn = job_module.Tally.add, job_module.wait_turn

    def counted(tally: job_module.Tally, errors: list[Any]) -> None:
        seen.extend(e.code for e in errors)
        add(tally, errors)

    async def turn(*args: Any) -> None:
        seen.append("turn")
        await wait_turn(*args)

    monkeypatch.setattr(job_module.Tally, "add", counted)
    monkeypatch.setattr(job_module, "wait_turn", turn)
    org = await fresh_org(bulk_api)
    person = nip(birth="19700101", seq="601")
    job = await run_import(bulk_api, "performance-ratings", org["code"], "NIP,Tahun,Hasil Kerja,Perilaku Kerja\n"
                           f"{person},2025,above,meets\n{person},2025,meets,meets\n", mode="partial")  # fmt: skip
    assert job["status"] == "completed", job
    assert seen == ["duplicate_in_file", "duplicate_in_file", "turn", "unknown_employee", "unknown_employee"]


async def insert_job(
    connection: AsyncConnection, job_id: str, agency_id: str, status: str, owner: str, heartbeat: dt.datetime
) -> None:
    """A job row as another process would have written it."""
    await connection.execute(
        text(
            "INSERT INTO imports (id, agency_id, kind, mode, file_format, file_name, file_sha256, file_bytes, "
            "status, progress, rows_written, rows_created, rows_updated, rows_unchanged, error_count, owner, "
            "heartbeat_at, created_at, created_by, updated_at, updated_by, version) VALUES (:id, :agency, "
            "'employees', 'atomic', 'csv', 'x.csv', '', 1, :status, 0.5, 0, 0, 0, 0, 0, :owner, :beat, "
            ":beat, 'test', :beat, 'test', 1)"
        ),
        {"id": job_id, "agency": agency_id, "status": status, "owner": owner, "beat": heartbeat},
    )


async def test_a_job_waits_only_for_the_running_jobs_its_agency_accepted_before(bulk_api: Api, bulk_url: str) -> None:
    ours, other = (await fresh_org(bulk_api))["agency"]["id"], (await fresh_org(bulk_api))["agency"]["id"]
    jobs = {  # a job still queued may be queued behind this one (every slot busy): waiting could never end
        "earlier, running": (ours, "running", 1), "earlier, queued": (ours, "queued", 2),
        "earlier, running, another agency": (other, "running", 3), "later, running": (ours, "running", 9),
    }  # fmt: skip
    ids = {name: f"01a00000-0000-7000-8000-1000000000{n:02d}" for name, (_, _, n) in jobs.items()}
    engine = create_async_engine(bulk_url)
    async with engine.begin() as connection:
        for name, (agency_id, status, _) in jobs.items():
            await insert_job(connection, ids[name], agency_id, status, "elsewhere:1:abcd", dt.datetime.now(dt.UTC))
    async with AsyncSession(engine) as session:
        found = await ImportRepository(session).running_before("01a00000-0000-7000-8000-100000000005", ours)
    async with engine.begin() as connection:
        await connection.execute(text("DELETE FROM imports WHERE id IN :ids").bindparams(
            bindparam("ids", expanding=True)), {"ids": list(ids.values())})  # fmt: skip
    await engine.dispose()
    assert found == [ids["earlier, running"]]


async def test_orphaned_jobs_are_failed_at_start_up(bulk_api: Api, bulk_url: str, tmp_path: object) -> None:
    org = await fresh_org(bulk_api)
    dead_pid = max(psutil.pids()) + 10_000
    old = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    fresh = dt.datetime.now(dt.UTC)
    owners = {
        "stale": ("elsewhere:1:abcd", old),
        "dead_pid": (f"{socket.gethostname()}:{dead_pid}:abcd", fresh),
        "alive_elsewhere": ("elsewhere:1:abcd", fresh),
    }
    engine = create_async_engine(bulk_url)
    ids = {}
    async with engine.begin() as connection:
        for name, (owner, heartbeat) in owners.items():
            ids[name] = f"01a00000-0000-7000-8000-00000000{len(ids):04d}"
            await insert_job(connection, ids[name], org["agency"]["id"], "running", owner, heartbeat)
    settings = bulk_settings(bulk_url, tmp_path)  # type: ignore[arg-type]
    async for _, api in running_app(settings):
        states = {name: (await ok(await api.get(f"/v1/imports/{i}"), 200)) for name, i in ids.items()}
    async with engine.begin() as connection:
        await connection.execute(text("DELETE FROM imports WHERE id = :id"), {"id": ids["alive_elsewhere"]})
    await engine.dispose()
    assert states["stale"]["status"] == states["dead_pid"]["status"] == "failed"
    assert "stopped" in states["stale"]["detail"]
    assert states["alive_elsewhere"]["status"] == "running"
