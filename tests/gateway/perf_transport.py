"""The gateway hop: httpx's transport, aiohttp, and our HTTP/1.1 pool (`python -m tests.gateway.perf_transport`).

A small downstream runs in its own uvicorn process; one ServiceClient per transport sends the same GETs
(service token, request id, pooled connections), sequentially and with 32 in flight, alternating runs.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import time

from services.common.http import ClientOptions, ServiceClient
from services.common.service_token import CallerIdentity
from tests.gateway.stub import free_port

SECRET = "demo-service-token-secret-change-me-0123456789"
DOWNSTREAM = """
from fastapi import FastAPI
from starlette.responses import Response
app = FastAPI()
BODY = b'{"nip":"198609262015051001","name":"Andi Saputra","agency_id":"a","unit_id":"u","rank":"III/c"}'
@app.get("/v1/units/{key}")
@app.get("/v1/employees/{key}")
async def employee(key: str) -> Response:
    return Response(BODY, media_type="application/json", headers={"ETag": '"3"'})
"""
IDENTITY = CallerIdentity(service="gateway", subject="user:bench", agency_id="a", roles=("agency_admin",))


async def _run(client: ServiceClient, total: int, concurrency: int) -> tuple[float, list[float]]:
    latencies: list[float] = []
    queue = iter(range(total))

    async def worker() -> None:
        for _ in queue:
            started = time.perf_counter()
            response = await client.request("GET", "/v1/employees/198609262015051001", identity=IDENTITY)
            assert response.status_code == 200
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return total / (time.perf_counter() - started), latencies


async def measure(base_url: str, rounds: int = 3, total: int = 3000) -> dict[str, dict[str, float]]:
    """Requests/s and p50/p99 (ms) per transport and concurrency, best of `rounds` alternating rounds."""
    results: dict[str, dict[str, float]] = {}
    for transport in ("httpx", "aiohttp", "http1"):
        client = ServiceClient(
            "registry",
            ClientOptions(base_url, transport=transport),
            token_secret=SECRET,
            issuer="gateway",  # type: ignore[arg-type]
        )
        await _run(client, 200, 8)  # warm the pool
        for concurrency in (1, 32):
            best: tuple[float, list[float]] = (0.0, [])
            for _ in range(rounds):
                rate, lat = await _run(client, total // (4 if concurrency == 1 else 1), concurrency)
                best = max(best, (rate, lat), key=lambda r: r[0])
            lat_sorted = sorted(best[1])
            results[f"{transport} c={concurrency}"] = {
                "rps": round(best[0]),
                "p50_ms": round(statistics.median(lat_sorted) * 1000, 3),
                "p99_ms": round(lat_sorted[int(len(lat_sorted) * 0.99) - 1] * 1000, 3),
            }
        await client.aclose()
    return results


def main() -> None:
    """Start the downstream, measure both transports, print the figures."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-c", DOWNSTREAM + f"\nimport uvicorn; uvicorn.run(app, port={port}, log_level='error')"],
        env={**os.environ},
    )
    try:
        time.sleep(2.0)
        for name, figures in asyncio.run(measure(f"http://127.0.0.1:{port}")).items():
            print(
                f"{name:<14} {figures['rps']:>7} req/s  p50 {figures['p50_ms']:.3f} ms  p99 {figures['p99_ms']:.3f} ms"
            )
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
