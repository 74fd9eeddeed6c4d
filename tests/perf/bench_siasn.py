"""SIASN sync throughput: 5,000 NIPs from the stand-in on a real port, and the scaling from concurrency 1 to 16.

The stand-in runs as its own process (`python -m tests.siasn_standin`) with LATENCY_MS added to every call,
so concurrency matters as it does against BKN. Each NIP costs 7 calls (data-utama + 6 histories). The
baseline is the latency bound: concurrency / (7 x latency) NIPs per second; the ratio says how close the
whole path (HTTP, mapping, set-based writes into PostgreSQL) comes to it."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.common.db import create_database_engine, create_sessionmaker
from services.common.pagination import PageParams
from services.registry.agencies.models import Agency
from services.registry.settings import RegistrySettings
from services.registry.siasn import credentials, service
from services.registry.siasn.cli import _State, operator
from services.registry.siasn.runner import SyncRunner
from services.registry.siasn.schemas import CredentialsWrite, SyncCreate
from tests.registry.conftest import migrated_database
from tests.registry.siasn.conftest import siasn_settings
from tests.siasn_standin.__main__ import DEMO_CONSUMERS, DEMO_USERS
from tests.siasn_standin.data import StandinData, instansi_id

LATENCY_MS = float(os.environ.get("BENCH_SIASN_LATENCY_MS", "20"))
NIPS = int(os.environ.get("BENCH_SIASN_NIPS", "5000"))
SAMPLE = int(os.environ.get("BENCH_SIASN_SAMPLE", "240"))  # NIPs per run of the scaling series
CONCURRENCIES = (1, 2, 4, 8, 16)
CONFIGURED = 8  # REGISTRY_SIASN_CONCURRENCY's default
AGENCY = "pemkab-lampung-barat"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_standin(port: int, people: int) -> subprocess.Popen[bytes]:
    """The stand-in process; answers once its token endpoint does."""
    process = subprocess.Popen(  # noqa: S603 - our own module
        [sys.executable, "-m", "tests.siasn_standin", "--port", str(port), "--people", str(people),
         "--latency-ms", str(LATENCY_MS)],
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            httpx.post(f"http://127.0.0.1:{port}/oauth2/token", timeout=1)
            return process
        except httpx.TransportError:
            time.sleep(0.3)
    process.kill()
    raise RuntimeError("the stand-in did not start")


async def agency_nips(people: int) -> list[str]:
    """The NIPs the stand-in serves for the agency (from the same deterministic generator)."""
    data = await asyncio.to_thread(StandinData.from_demo, 20250101, people)
    instansi = data.agencies[AGENCY]
    return sorted(n for n, p in data.people.items() if p["data-utama"]["instansiKerjaId"] == instansi)


async def run(port: int, nips: list[str]) -> None:
    base = f"http://127.0.0.1:{port}"
    url = await migrated_database("talenta_test_siasn_bench")
    settings = siasn_settings(
        url, siasn_base_url=base + "/apisiasn/1.0", siasn_token_url=base + "/oauth2/token",
        siasn_sso_token_url=base + "/auth/realms/public-siasn/protocol/openid-connect/token",
        siasn_batch_size=200, siasn_backoff_seconds=0.2, db_pool_size=5,
    )  # fmt: skip
    engine = create_database_engine(settings)
    maker = create_sessionmaker(engine)
    async with maker() as session:
        session.add(Agency(code=AGENCY, name="Pemerintah Kabupaten Lampung Barat", region="Lampung"))
        await session.flush()
        key, user = next(iter(DEMO_CONSUMERS)), next(iter(DEMO_USERS))
        body = CredentialsWrite.model_validate({
            "consumer_key": key, "consumer_secret": DEMO_CONSUMERS[key], "sso_client_id": "talenta",
            "sso_username": user, "sso_password": DEMO_USERS[user], "instansi_id": instansi_id(AGENCY),
        })  # fmt: skip
        await credentials.put_credentials(session, operator(), settings, AGENCY, body)
        await session.commit()
    main, rest = nips[:NIPS], nips[NIPS:]
    print(f"stand-in latency {LATENCY_MS:.0f} ms per call, 7 calls per NIP; PostgreSQL writes in batches of 200")
    print(f"{'concurrency':>11} {'NIPs':>6} {'seconds':>8} {'NIPs/s':>8} {'bound':>7} {'ratio':>6}  outcomes")
    for index, concurrency in enumerate(CONCURRENCIES):
        sample = rest[index * SAMPLE : (index + 1) * SAMPLE]
        await measure(settings, maker, concurrency, sample)
    await measure(settings, maker, CONFIGURED, main)
    await engine.dispose()


async def measure(
    settings: RegistrySettings, maker: async_sessionmaker[AsyncSession], concurrency: int, nips: list[str]
) -> None:
    """Sync `nips` at `concurrency` and print the rate."""
    state = _State(maker, settings)
    runner = SyncRunner(state, settings, concurrency)
    async with state.sessionmaker() as session:
        body = SyncCreate(nips=nips, agency_id=AGENCY)
        job = await service.create_sync(session, operator(), settings, body, runner.owner)
        await session.commit()
    started = time.perf_counter()
    runner.submit(job.id)
    await runner.wait(job.id)
    seconds = time.perf_counter() - started
    async with state.sessionmaker() as session:
        done = await service.get_sync(session, operator(), job.id, PageParams(limit=1, after=None))
    rate, bound = len(nips) / seconds, concurrency / (7 * LATENCY_MS / 1000)
    counts = {k: v for k, v in done[0].counts.items() if v}
    print(f"{concurrency:>11} {len(nips):>6} {seconds:>8.1f} {rate:>8.1f} {bound:>7.1f} {rate / bound:>6.2f}  {counts}",
          flush=True)  # fmt: skip
    await state.siasn_http.aclose()


def main() -> None:
    """Start the stand-in, sync, print the figures, stop the stand-in."""
    people = NIPS + SAMPLE * len(CONCURRENCIES)
    port = free_port()
    process = start_standin(port, people)
    try:
        nips = asyncio.run(agency_nips(people))
        asyncio.run(run(port, nips))
    finally:
        process.terminate()
        process.wait(timeout=10)


if __name__ == "__main__":
    main()
