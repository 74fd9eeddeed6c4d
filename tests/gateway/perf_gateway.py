"""What the gateway adds to a GET employee by NIP (`python -m tests.gateway.perf_gateway`; needs PostgreSQL).

A canned downstream runs in one process, the gateway (uvicorn, PostgreSQL audit) in another; the same
GETs go straight to the downstream and through the gateway, alternating, in the same run.
"""

from __future__ import annotations

import asyncio
import os
import pathlib
import statistics
import subprocess
import sys
import time

import httpx

from services.common.db import create_database_engine, create_sessionmaker
from services.common.migrations import upgrade_to_head
from services.gateway.auth.models import User
from services.gateway.auth.passwords import hash_secret
from services.gateway.settings import GatewaySettings
from tests.conftest import recreate_database
from tests.gateway.perf_transport import DOWNSTREAM
from tests.gateway.stub import free_port

GATEWAY_DIR = pathlib.Path(__file__).resolve().parents[2] / "services" / "gateway"
PATH = os.environ.get("BENCH_PATH", "/v1/employees/198609262015051001")


async def _prepare(db: str) -> None:
    await asyncio.to_thread(upgrade_to_head, GATEWAY_DIR, db)
    engine = create_database_engine(GatewaySettings(database_url=db))
    async with create_sessionmaker(engine)() as session:
        session.add(User(username="bench", password_hash=await hash_secret("bench-password"), roles=["national_admin"]))
        await session.commit()
    await engine.dispose()


async def _load(url: str, headers: dict[str, str], total: int, concurrency: int) -> tuple[float, list[float]]:
    latencies: list[float] = []
    jobs = iter(range(total))
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:

        async def worker() -> None:
            for _ in jobs:
                started = time.perf_counter()
                response = await client.get(url, headers=headers)
                assert response.status_code == 200, response.text
                latencies.append(time.perf_counter() - started)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return total / (time.perf_counter() - started), sorted(latencies)


async def _measure(downstream: str, gateway: str) -> None:
    async with httpx.AsyncClient() as client:
        token = (
            await client.post(
                f"{gateway}/api/v1/auth/token",
                data={"grant_type": "password", "username": "bench", "password": "bench-password"},
            )
        ).json()["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    for concurrency, total in ((1, 500), (16, 3000)):
        figures = {}
        for name, url, headers in (("direct", downstream + PATH, {}), ("gateway", gateway + "/api" + PATH, auth)):
            await _load(url, headers, 100, concurrency)  # warm up
            runs = [await _load(url, headers, total, concurrency) for _ in range(2)]
            figures[name] = max(runs, key=lambda r: r[0])
        (d_rate, d_lat), (g_rate, g_lat) = figures["direct"], figures["gateway"]
        p = lambda lat, q: lat[int(len(lat) * q) - 1] * 1000  # noqa: E731
        print(
            f"c={concurrency:<3} direct {d_rate:7.0f} req/s  gateway {g_rate:7.0f} req/s  ratio {g_rate / d_rate:.2f}  "
            f"added p50 {statistics.median(g_lat) * 1000 - statistics.median(d_lat) * 1000:.2f} ms  "
            f"added p99 {p(g_lat, 0.99) - p(d_lat, 0.99):.2f} ms"
        )


def _wait_until_up(*urls: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    for url in urls:
        while True:
            try:
                if httpx.get(url, timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{url} did not come up")
            time.sleep(0.2)


def main() -> None:
    """Start both processes, measure, stop them."""
    db = asyncio.run(recreate_database("talenta_test_gateway_bench"))
    asyncio.run(_prepare(db))
    down_port, gw_port = free_port(), free_port()
    env = {
        **os.environ,
        "GATEWAY_ENVIRONMENT": "test",
        "GATEWAY_DATABASE_URL": db,
        "GATEWAY_REGISTRY_URL": f"http://127.0.0.1:{down_port}",
        "GATEWAY_SCORING_URL": f"http://127.0.0.1:{down_port}",
        "GATEWAY_RATE_LIMIT_PER_SECOND": "1000000",
        "GATEWAY_RATE_LIMIT_BURST": "1000000",
        "GATEWAY_LOG_LEVEL": "WARNING",
    }
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                DOWNSTREAM + f"\nimport uvicorn; uvicorn.run(app, port={down_port}, log_level='error')",
            ]
        ),
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "services.gateway.main:app",
                "--port",
                str(gw_port),
                "--log-level",
                "warning",
                "--no-access-log",
            ],
            env=env,
        ),
    ]
    try:
        _wait_until_up(f"http://127.0.0.1:{gw_port}/healthz", f"http://127.0.0.1:{down_port}/docs")
        asyncio.run(_measure(f"http://127.0.0.1:{down_port}", f"http://127.0.0.1:{gw_port}"))
    finally:
        for process in processes:
            process.terminate()
            process.wait(10)


if __name__ == "__main__":
    main()
