"""Bench: GET /v1/employees/{nip} on the registry (PostgreSQL, real uvicorn) against a bare FastAPI endpoint
returning constant JSON, served the same way (same worker count), load from a separate process.

Run: python -m tests.perf registry   (or make bench). Settings by environment: BENCH_WORKERS (1),
BENCH_SECONDS (10), BENCH_CONNECTIONS (32), BENCH_PEOPLE_PER_AGENCY (20000), BENCH_ROUNDS (3),
BENCH_READ_POOL_SIZE (10, the registry's default).
Needs PostgreSQL at TALENTA_TEST_POSTGRES_URL (default 127.0.0.1:5432, user postgres).
"""

from __future__ import annotations

import asyncio
import json
import os
import pathlib
import signal
import subprocess
import sys
import tempfile
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
DATABASE = "talenta_test_registry_bench"
SECRET = "bench-service-token-secret-0123456789abcdef"
TARGET_RATIO = 0.25


def setting(name: str, default: str) -> str:
    """A bench setting from the environment."""
    return os.environ.get(f"BENCH_{name}", default)


async def prepare_database(people_per_agency: int) -> tuple[str, list[str]]:
    """A fresh registry database with demo data; answers its URL and a sample of NIPs to read."""
    url = await recreate_database(DATABASE)
    await asyncio.to_thread(upgrade_to_head, ROOT / "services" / "registry", url)
    engine = create_async_engine(url)
    try:
        await seed(engine, DemoDataset(people_per_agency=people_per_agency))
        async with engine.connect() as connection:
            await connection.execute(text("ANALYZE"))
            rows = await connection.execute(text("SELECT nip FROM employees ORDER BY md5(nip) LIMIT 5000"))
            nips = [row[0] for row in rows]
    finally:
        await engine.dispose()
    return url, nips


def free_port() -> int:
    """A TCP port nobody listens on."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def server(app: str, workers: int, env: dict[str, str], probe: str) -> Iterator[int]:
    """Serve `app` with uvicorn (as `make run` does) on a free port until the block ends."""
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port),
               "--workers", str(workers), "--no-access-log", "--log-level", "warning"]  # fmt: skip
    process = subprocess.Popen(
        command, cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    try:
        wait_until_up(port, probe, process)
        yield port
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def wait_until_up(port: int, probe: str, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    """Poll `probe` until it answers 200."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{probe}", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"server on port {port} not up after {timeout} s")


def load(port: int, paths_file: str, seconds: float, connections: int, headers: list[str]) -> dict[str, Any]:
    """Run the load generator as its own process; answers its figures."""
    command = [sys.executable, "-m", "tests.perf.loadgen", "--port", str(port), "--paths", paths_file,
               "--seconds", str(seconds), "--connections", str(connections)]  # fmt: skip
    for header in headers:
        command += ["--header", header]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
    figures: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    if figures["errors"]:
        raise RuntimeError(f"{figures['errors']} failed requests (first status {figures['first_error']})")
    return figures


Figures = dict[str, Any]


def measure(bare_port: int, registry_port: int, paths_file: str, token: str) -> list[tuple[Figures, Figures]]:
    """Warm both up, then alternate bare and registry rounds so that both see the same background load."""
    seconds, connections = float(setting("SECONDS", "10")), int(setting("CONNECTIONS", "32"))
    auth = [f"Authorization: Bearer {token}"]
    load(bare_port, paths_file, 2, connections, [])
    load(registry_port, paths_file, 2, connections, auth)
    pairs = []
    for _ in range(int(setting("ROUNDS", "3"))):
        bare = load(bare_port, paths_file, seconds, connections, [])
        registry = load(registry_port, paths_file, seconds, connections, auth)
        pairs.append((bare, registry))
    return pairs


def main() -> None:
    """Measure both servers and print throughputs and the ratio."""
    workers = int(setting("WORKERS", "1"))
    people = int(setting("PEOPLE_PER_AGENCY", "20000"))
    print(f"preparing PostgreSQL database {DATABASE} with {2 * people} demo employees ...", flush=True)
    url, nips = asyncio.run(prepare_database(people))
    identity = CallerIdentity(service="gateway", subject="user:bench", roles=("national_admin",))
    token = mint_service_token(SECRET, "gateway", "registry", identity, ttl=3600)
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write("\n".join(f"/v1/employees/{nip}" for nip in nips))
        paths_file = f.name
    # One pooled database connection per concurrent client: overflow connections would be opened and closed
    # again and again under this load, measuring connection churn instead of the request path.
    env = {
        "REGISTRY_DATABASE_URL": url,
        "REGISTRY_SERVICE_TOKEN_SECRET": SECRET,
        "REGISTRY_ENVIRONMENT": "test",
        "REGISTRY_DB_POOL_SIZE": setting("CONNECTIONS", "32"),
        "REGISTRY_DB_MAX_OVERFLOW": "0",
        "REGISTRY_READ_POOL_SIZE": setting("READ_POOL_SIZE", "10"),
    }
    try:
        with (
            server("tests.perf.bare_app:app", workers, {}, f"/v1/employees/{nips[0]}") as bare_port,
            server("services.registry.main:app", workers, env, "/readyz") as registry_port,
        ):
            pairs = measure(bare_port, registry_port, paths_file, token)
    finally:
        os.unlink(paths_file)
    report(pairs, workers, len(nips))


def report(pairs: list[tuple[Figures, Figures]], workers: int, distinct: int) -> None:
    """Print each round and the median ratio (rounds run back to back, so they share the box's load)."""
    print(f"workers: {workers}, connections: {setting('CONNECTIONS', '32')}, {distinct} distinct NIPs")
    ratios = []
    for i, (bare, registry) in enumerate(pairs, start=1):
        ratio = registry["rps"] / bare["rps"]
        ratios.append(ratio)
        print(
            f"  round {i}: bare FastAPI {bare['rps']:>7.0f} req/s (p50 {bare['p50_ms']:.1f} ms)   "
            f"registry GET /v1/employees/{{nip}} {registry['rps']:>6.0f} req/s "
            f"(p50 {registry['p50_ms']:.1f} ms, p99 {registry['p99_ms']:.1f} ms)   ratio {ratio:.1%}"
        )
    median = sorted(ratios)[len(ratios) // 2]
    verdict = "meets" if median >= TARGET_RATIO else "below"
    print(f"  median ratio registry/bare: {median:.1%} ({verdict} the {TARGET_RATIO:.0%} aim)")


if __name__ == "__main__":
    main()
