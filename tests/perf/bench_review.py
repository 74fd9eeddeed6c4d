"""Bench: a talent review of a 100,000-person agency on PostgreSQL, from POST to completed (aim <= 15 s).

The registry (demo data) and scoring (its in-process worker) run as real uvicorn processes, as deployed.
The review's own timings split the time into export (the registry's stream), compute (parse + engine +
rows to write) and write (COPY and commit). The baseline, measured in the same run, is the bare download
of the same export: what any consumer of the registry pays before computing anything.

Run: python -m tests.perf review   (or make bench). Settings by environment: BENCH_REVIEW_PEOPLE (100000),
BENCH_REVIEW_ROUNDS (3). Needs PostgreSQL at TALENTA_TEST_POSTGRES_URL (default 127.0.0.1:5432, user postgres).
"""

from __future__ import annotations

import asyncio
import json
import os
import pathlib
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from services.common.migrations import upgrade_to_head
from services.common.service_token import CallerIdentity, mint_service_token
from services.registry.demo import DemoDataset, seed
from tests.conftest import recreate_database

ROOT = pathlib.Path(__file__).resolve().parents[2]
SECRET = "bench-service-token-secret-0123456789abcdef"
REGISTRY_DB, SCORING_DB = "talenta_test_scoring_bench_registry", "talenta_test_scoring_bench"
AGENCY = "pemkab-lampung-barat"
AIM_SECONDS = 15.0
NATIONAL = CallerIdentity(service="gateway", subject="user:bench", roles=("national_admin",))
SYSTEM = CallerIdentity(service="scoring", subject="service:scoring", roles=("service",))


def setting(name: str, default: str) -> str:
    """A bench setting from the environment."""
    return os.environ.get(f"BENCH_{name}", default)


async def prepare(people_per_agency: int) -> tuple[str, str]:
    """A registry database with the demo data and an empty, migrated scoring database; their URLs."""
    registry_url = await recreate_database(REGISTRY_DB)
    await asyncio.to_thread(upgrade_to_head, ROOT / "services" / "registry", registry_url)
    engine = create_async_engine(registry_url)
    try:
        await seed(engine, DemoDataset(people_per_agency=people_per_agency))
        async with engine.begin() as connection:
            await connection.execute(text("ANALYZE"))
    finally:
        await engine.dispose()
    scoring_url = await recreate_database(SCORING_DB)
    await asyncio.to_thread(upgrade_to_head, ROOT / "services" / "scoring", scoring_url)
    return registry_url, scoring_url


def free_port() -> int:
    """A TCP port nobody listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def service(app: str, env: dict[str, str]) -> Iterator[str]:
    """Serve `app` with uvicorn (one worker, as `make run` does) on a free port until the block ends."""
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port),
               "--no-access-log", "--log-level", "warning"]  # fmt: skip
    log = open(ROOT / "var" / f"bench-{app.split('.')[1]}.log", "ab")  # noqa: SIM115
    process = subprocess.Popen(
        command, cwd=ROOT, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while not ready(base):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{app} did not start (see var/bench-*.log)")
            time.sleep(0.2)
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


def ready(base: str) -> bool:
    """True when the service's /readyz answers 200."""
    try:
        with urllib.request.urlopen(base + "/readyz", timeout=2) as response:  # noqa: S310
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def call(
    base: str, audience: str, method: str, path: str, body: Any = None, identity: CallerIdentity = NATIONAL
) -> Any:
    """One JSON call with a service token; answers the decoded body (raises on an HTTP error)."""
    token = mint_service_token(SECRET, "gateway", audience, identity)
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method)  # noqa: S310
    request.add_header("Authorization", f"Bearer {token}")
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=600) as response:  # noqa: S310
        raw = response.read()
    return json.loads(raw) if raw[:1] in (b"{", b"[") else raw


def review_once(scoring: str, agency_id: str) -> tuple[float, dict[str, Any]]:
    """POST a review and poll until it completes; answers the wall time and the job resource."""
    started = time.perf_counter()
    job = call(scoring, "scoring", "POST", "/v1/talent-reviews", {"agency_id": agency_id, "period": 2025})
    while job["status"] not in ("completed", "failed"):
        time.sleep(0.02)
        job = call(scoring, "scoring", "GET", f"/v1/talent-reviews/{job['id']}")
    elapsed = time.perf_counter() - started
    if job["status"] != "completed":
        raise RuntimeError(f"review failed: {job['error']}")
    return elapsed, job


def export_once(registry: str, agency_id: str) -> tuple[float, int]:
    """Download the same export the review streams; answers seconds and bytes."""
    query = f"agency_id={agency_id}&period=2025&sanction_lookback_years=5&award_lookback_years=5"
    started = time.perf_counter()
    body = call(registry, "registry", "GET", f"/v1/scoring-inputs?{query}", identity=SYSTEM)
    return time.perf_counter() - started, len(body)


def main() -> None:
    """Prepare the databases, start both services, run the review and the baseline in alternation, report."""
    people = int(setting("REVIEW_PEOPLE", "100000"))
    rounds = int(setting("REVIEW_ROUNDS", "3"))
    (ROOT / "var").mkdir(exist_ok=True)
    print(f"preparing the registry with {2 * people} demo employees (2 agencies) ...", flush=True)
    started = time.perf_counter()
    registry_url, scoring_url = asyncio.run(prepare(people))
    print(f"  seeded in {time.perf_counter() - started:.0f} s", flush=True)
    registry_env = {"REGISTRY_DATABASE_URL": registry_url, "REGISTRY_SERVICE_TOKEN_SECRET": SECRET,
                    "REGISTRY_ENVIRONMENT": "test", "REGISTRY_LOG_LEVEL": "WARNING"}  # fmt: skip
    with service("services.registry.main:app", registry_env) as registry:
        scoring_env = {"SCORING_DATABASE_URL": scoring_url, "SCORING_SERVICE_TOKEN_SECRET": SECRET,
                       "SCORING_REGISTRY_URL": registry, "SCORING_ENVIRONMENT": "test", "SCORING_RUN_WORKER": "true",
                       "SCORING_WORKER_POLL_SECONDS": "0.2", "SCORING_LOG_LEVEL": "WARNING"}  # fmt: skip
        with service("services.scoring.main:app", scoring_env) as scoring:
            agency_id = call(registry, "registry", "GET", f"/v1/agencies/{AGENCY}")["id"]
            export_once(registry, agency_id)  # warm the registry's caches, as a running system has them
            results = []
            for _ in range(rounds):
                baseline = export_once(registry, agency_id)
                results.append((baseline, *review_once(scoring, agency_id)))
    report(results)


def report(results: list[tuple[tuple[float, int], float, dict[str, Any]]]) -> None:
    """Print each round, the median, and the verdict against the aim."""
    for index, ((export_s, size), total, job) in enumerate(results, start=1):
        timings = job["timings"]
        print(
            f"  round {index}: {job['rows_total']} people, request to completed {total:.2f} s "
            f"(export {timings['export_seconds']:.2f} s, compute {timings['compute_seconds']:.2f} s, "
            f"write {timings['write_seconds']:.2f} s); baseline export download {export_s:.2f} s "
            f"({size / 1e6:.0f} MB), ratio {total / export_s:.2f}x"
        )
    median = statistics.median(total for _, total, _ in results)
    verdict = "meets" if median <= AIM_SECONDS else "misses"
    print(f"  median request to completed: {median:.2f} s ({verdict} the {AIM_SECONDS:.0f} s aim)")


if __name__ == "__main__":
    main()
