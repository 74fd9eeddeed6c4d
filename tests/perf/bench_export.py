"""Bench: GET /v1/scoring-inputs for 100,000 and 1,000,000 employees (PostgreSQL COPY streamed through asyncpg),
from a real registry process (uvicorn), read by a client in this process: rows/s, and the registry's peak RSS.

The point is the memory: it must stay flat as the rows grow 10x. Data: the demo generator, seeded in bulk
(reused when a database of the right size exists). Run: python -m tests.perf export. Settings:
BENCH_EXPORT_SIZES (100000,1000000). Needs PostgreSQL at TALENTA_TEST_POSTGRES_URL (default 127.0.0.1:5432)."""

from __future__ import annotations

import asyncio
import os
import pathlib
import socket
import subprocess
import sys
import time

import asyncpg
import httpx
import psutil
from sqlalchemy.ext.asyncio import create_async_engine

from services.common.migrations import upgrade_to_head
from services.common.service_token import CallerIdentity, mint_service_token
from services.registry.demo import DemoDataset, seed
from services.registry.exports.query import COLUMNS
from tests.conftest import POSTGRES_URL, recreate_database

ROOT = pathlib.Path(__file__).resolve().parents[2]
SECRET = "bench-service-token-secret-0123456789abcdef"
SAMPLE_SECONDS = 0.02


async def database_of(people: int) -> str:
    """A registry database holding `people` demo employees (two agencies), seeded unless it exists already."""
    name = f"talenta_test_bulk_bench_export_{people}"
    base = POSTGRES_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1)
    url = f"{base}/{name}"
    if await _has(name, people):
        return url
    url = await recreate_database(name)
    await asyncio.to_thread(upgrade_to_head, ROOT / "services" / "registry", url)
    engine = create_async_engine(url)
    started = time.perf_counter()
    await seed(engine, DemoDataset(people_per_agency=people // 2))
    await engine.dispose()
    connection = await asyncpg.connect(url.replace("+asyncpg", ""))
    await connection.execute("VACUUM ANALYZE")
    await connection.close()
    print(f"seeded {people} people in {time.perf_counter() - started:.0f} s")
    return url


async def _has(name: str, people: int) -> bool:
    try:
        connection = await asyncpg.connect(POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}")
    except (asyncpg.InvalidCatalogNameError, OSError):
        return False
    try:
        return bool(await connection.fetchval("SELECT count(*) FROM employees") == people)
    except asyncpg.PostgresError:
        return False
    finally:
        await connection.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def measure(url: str) -> dict[str, float]:
    """Start a registry on `url`, read the national export of 2025 once, and sample the process's RSS."""
    port = free_port()
    env = os.environ | {"REGISTRY_DATABASE_URL": url, "REGISTRY_SERVICE_TOKEN_SECRET": SECRET,
                        "REGISTRY_ENVIRONMENT": "test", "REGISTRY_LOG_LEVEL": "WARNING"}  # fmt: skip
    server = subprocess.Popen(  # noqa: ASYNC220 - a long-lived child, waited for below
        [sys.executable, "-m", "uvicorn", "services.registry.main:app", "--port", str(port), "--no-access-log"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        process = psutil.Process(server.pid)
        caller = CallerIdentity(service="scoring", subject="service:scoring")
        token = mint_service_token(SECRET, "scoring", "registry", caller, ttl=900)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=600,
                                     headers={"Authorization": f"Bearer {token}"}) as client:  # fmt: skip
            await _ready(client)
            await _read(client, {"period": 2025, "levels": "jpt_pratama"})  # warm: imports, pools, plans
            baseline = process.memory_info().rss
            peak = [baseline, 0]  # the highest RSS seen, and how many samples were taken
            sampler = asyncio.create_task(_sample(process, peak))
            started = time.perf_counter()
            rows, size = await _read(client, {"period": 2025})
            seconds = time.perf_counter() - started
            sampler.cancel()
    finally:
        server.terminate()
        server.wait(timeout=30)
    return {"rows": rows, "bytes": size, "seconds": seconds, "rss_before": baseline, "rss_peak": peak[0],
            "samples": peak[1]}  # fmt: skip


async def _ready(client: httpx.AsyncClient) -> None:
    for _ in range(300):
        try:
            if (await client.get("/readyz")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.1)
    raise RuntimeError("the registry did not start")


async def _read(client: httpx.AsyncClient, params: dict[str, object]) -> tuple[int, int]:
    rows = size = 0
    async with client.stream("GET", "/v1/scoring-inputs", params=params) as response:
        assert response.status_code == 200, await response.aread()
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            rows += chunk.count(b"\n")
    return rows - 1, size  # the header line


async def _sample(process: psutil.Process, peak: list[int]) -> None:
    while True:
        peak[0] = max(peak[0], process.memory_info().rss)
        peak[1] += 1
        await asyncio.sleep(SAMPLE_SECONDS)


async def run() -> None:
    sizes = [int(s) for s in os.environ.get("BENCH_EXPORT_SIZES", "100000,1000000").split(",")]
    results = {}
    for people in sizes:
        results[people] = await measure(await database_of(people))
    mib = 1024 * 1024
    for people, r in results.items():
        print(f"{people:>9} people: {int(r['rows']):>9} rows, {r['bytes'] / mib:7.1f} MiB in {r['seconds']:6.2f} s = "
              f"{r['rows'] / r['seconds']:9,.0f} rows/s; registry RSS {r['rss_before'] / mib:6.1f} MiB before, "
              f"peak {r['rss_peak'] / mib:6.1f} MiB (+{(r['rss_peak'] - r['rss_before']) / mib:.1f}; "
              f"{int(r['samples'])} samples)")  # fmt: skip
    print(f"columns: {len(COLUMNS)}; memory grows with the chunks in flight, not with the rows")


def main() -> None:
    """Entry point for `python -m tests.perf export`."""
    asyncio.run(run())


if __name__ == "__main__":
    main()
