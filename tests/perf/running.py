"""The running product the end-to-end benches measure: the three services on PostgreSQL, as `make run` starts them.

Shared by bench_gateway and bench_load: fresh databases, migrations, the demo seed, the services under uvicorn
(services/launcher/stack.py), the gateway's demo accounts; plus small readers of what they need from it.
"""

from __future__ import annotations

import asyncio
import json
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import asyncpg
import psutil

from services.launcher.stack import ROOT, SERVICES, Stack
from tests.conftest import recreate_database

# Production-like settings, but no per-principal rate limit (one load generator is one principal here) and no
# webhook dispatcher in the gateway process: the seed's employee.changed events (one per person) would keep it
# busy fanning out the feed during the rounds (it runs as its own process where that matters).
ENV = {
    "GATEWAY_RATE_LIMIT_PER_SECOND": "1000000",
    "GATEWAY_RATE_LIMIT_BURST": "1000000",
    "GATEWAY_RUN_DISPATCHER": "false",
}


@contextmanager
def running_stack(database_prefix: str, seed_args: list[str], extra_env: Mapping[str, str] = ENV) -> Iterator[Stack]:
    """The three services on fresh databases `<database_prefix>_<service>`, seeded with
    `python -m services.registry.demo seed <seed_args>` and the gateway's demo accounts."""
    urls = {name: asyncio.run(recreate_database(f"{database_prefix}_{name}")) for name in SERVICES}
    stack = Stack(database_urls=urls, environment="local", extra_env=extra_env, log_dir=ROOT / "var" / "log" / "bench")
    try:
        stack.migrate()
        stack.run_step("registry", ["-m", "services.registry.demo", "seed", *seed_args])
        for name in SERVICES:
            stack.start_service(name)
        stack.run_step("gateway", ["-m", "services.gateway.seed"])
        yield stack
    finally:
        stack.stop()


def query(stack: Stack, service: str, sql: str, *args: Any) -> list[asyncpg.Record]:
    """Rows of one query on a service's database."""

    async def read() -> list[asyncpg.Record]:
        url = stack.database_urls[service].replace("postgresql+asyncpg://", "postgresql://")
        connection = await asyncpg.connect(url)
        try:
            return list(await connection.fetch(sql, *args))
        finally:
            await connection.close()

    return asyncio.run(read())


def sample_nips(stack: Stack, count: int = 5000) -> list[str]:
    """`count` NIPs in random order (after ANALYZE), so that the reads do not all hit the same pages."""
    query(stack, "registry", "ANALYZE")
    return [r[0] for r in query(stack, "registry", "SELECT nip FROM employees ORDER BY md5(nip) LIMIT $1", count)]


def gateway_token(stack: Stack, username: str = "national.admin", password: str = "demo-national-admin") -> str:
    """An access token of a demo person (password grant, on in local mode); the national admin by default."""
    form = f"grant_type=password&username={username}&password={password}".encode()
    request = urllib.request.Request(stack.url("gateway") + "/api/v1/auth/token", data=form, method="POST")  # noqa: S310
    with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
        return str(json.load(answer)["access_token"])


def cpu_seconds(process: psutil.Process) -> float:
    """User and system CPU time of a process so far."""
    times = process.cpu_times()
    return float(times.user + times.system)
