"""Concurrent imports into one agency: no deadlock, no error, and never half of one file mixed with another."""

from __future__ import annotations

import asyncio
import datetime as dt
import socket

import psutil
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from tests.registry.conftest import Api
from tests.registry.factory import nip, ok
from tests.registry.imports.conftest import bulk_settings, fresh_org, run_import, running_app

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
            await connection.execute(
                text(
                    "INSERT INTO imports (id, agency_id, kind, mode, file_format, file_name, file_sha256, file_bytes, "
                    "status, progress, rows_written, rows_created, rows_updated, rows_unchanged, error_count, owner, "
                    "heartbeat_at, created_at, created_by, updated_at, updated_by, version) VALUES (:id, :agency, "
                    "'employees', 'atomic', 'csv', 'x.csv', '', 1, 'running', 0.5, 0, 0, 0, 0, 0, :owner, :beat, "
                    ":beat, 'test', :beat, 'test', 1)"
                ),
                {"id": ids[name], "agency": org["agency"]["id"], "owner": owner, "beat": heartbeat},
            )
    settings = bulk_settings(bulk_url, tmp_path)  # type: ignore[arg-type]
    async for _, api in running_app(settings):
        states = {name: (await ok(await api.get(f"/v1/imports/{i}"), 200)) for name, i in ids.items()}
    async with engine.begin() as connection:
        await connection.execute(text("DELETE FROM imports WHERE id = :id"), {"id": ids["alive_elsewhere"]})
    await engine.dispose()
    assert states["stale"]["status"] == states["dead_pid"]["status"] == "failed"
    assert "stopped" in states["stale"]["detail"]
    assert states["alive_elsewhere"]["status"] == "running"
