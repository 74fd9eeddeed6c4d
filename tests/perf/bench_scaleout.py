"""Bench: talent reviews of 20 agencies of 10,000 people each, run by 1 and by 2 review worker processes.

The registry (demo data for 20 agencies) and a scoring API without a worker of its own (SCORING_RUN_WORKER=false)
run as real processes on PostgreSQL, started by the launcher; the workers are `python -m services.scoring.worker`
processes sharing the PostgreSQL queue. Each round starts its workers, submits one review per agency at once and
times until the last is completed; rounds alternate 1 and 2 workers so that both see the same background load.
The baseline is the 1-worker round: the report is the speed-up of 2 workers over it, and where the time goes
(export: the registry's stream; compute: scoring's parse and engine; write: COPY of the placements).

Run: python -m tests.perf scaleout (or make bench). Settings by environment: BENCH_SCALEOUT_AGENCIES (20),
BENCH_SCALEOUT_PEOPLE (10000 per agency), BENCH_SCALEOUT_ROUNDS (2 of each). Needs PostgreSQL.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from typing import Any

import httpx

from services.launcher.stack import ROOT, Stack
from tests.conftest import recreate_database
from tests.e2e.harness import service_headers
from tests.perf.bench_registry import setting

WORKER_ENV = {"SCORING_WORKER_POLL_SECONDS": "0.1", "SCORING_LOG_LEVEL": "WARNING"}


def start(agencies: int, people: int) -> Stack:
    """Registry with the demo data of `agencies` agencies, and a scoring API that runs no reviews itself."""
    urls = {name: asyncio.run(recreate_database(f"talenta_bench_scaleout_{name}")) for name in ("registry", "scoring")}
    urls["gateway"] = "unused"
    env = {"SCORING_RUN_WORKER": "false", "REGISTRY_LOG_LEVEL": "WARNING", "SCORING_LOG_LEVEL": "WARNING"}
    stack = Stack(database_urls=urls, environment="local", extra_env=env, log_dir=ROOT / "var" / "log" / "bench")
    stack.migrate(("registry", "scoring"))
    started = time.perf_counter()
    seed = ["-m", "services.registry.demo", "seed", "--people-per-agency", str(people), "--agencies", str(agencies)]
    stack.run_step("registry", seed, timeout=1800)
    print(f"  seeded {agencies} x {people} people in {time.perf_counter() - started:.0f} s", flush=True)
    stack.start_service("registry")
    stack.start_service("scoring")
    return stack


def agency_ids(stack: Stack) -> list[str]:
    """Every agency in the registry."""
    answer = httpx.get(stack.url("registry") + "/v1/agencies?limit=500", headers=service_headers("registry"))
    answer.raise_for_status()
    return [agency["id"] for agency in answer.json()["items"]]


async def run_round(stack: Stack, agencies: list[str], period: int) -> tuple[float, list[dict[str, Any]]]:
    """Submit one review per agency at once; the seconds until all are completed, and the reviews."""
    headers = service_headers("scoring")
    async with httpx.AsyncClient(base_url=stack.url("scoring"), headers=headers, timeout=60) as client:
        started = time.perf_counter()
        answers = await asyncio.gather(
            *(client.post("/v1/talent-reviews", json={"agency_id": a, "period": period}) for a in agencies)
        )
        ids = [answer.json()["id"] for answer in answers]
        pending = set(ids)
        reviews: dict[str, dict[str, Any]] = {}
        while pending:
            await asyncio.sleep(0.05)
            for review_id in list(pending):
                review = (await client.get(f"/v1/talent-reviews/{review_id}")).json()
                if review["status"] == "failed":
                    raise RuntimeError(f"review failed: {review['error']}")
                if review["status"] == "completed":
                    reviews[review_id] = review
                    pending.discard(review_id)
        return time.perf_counter() - started, [reviews[i] for i in ids]


def with_workers(stack: Stack, count: int, agencies: list[str], period: int) -> tuple[float, list[dict[str, Any]]]:
    """Start `count` worker processes, run one round, stop them."""
    names = [f"worker-{i + 1}" for i in range(count)]
    for name in names:
        stack.start_worker(name, env=WORKER_ENV, wait=False)
    try:
        for name in names:
            stack.wait_ready(name)
        return asyncio.run(run_round(stack, agencies, period))
    finally:
        for name in names:
            stack.stop_service(name)


def main() -> None:
    """Seed, start, run alternating 1- and 2-worker rounds, report the speed-up."""
    agencies, people = int(setting("SCALEOUT_AGENCIES", "20")), int(setting("SCALEOUT_PEOPLE", "10000"))
    print(f"preparing the registry with {agencies} agencies of {people} people ...", flush=True)
    stack = start(agencies, people)
    try:
        ids = agency_ids(stack)
        with_workers(stack, 1, ids[:1], 2024)  # warm-up: caches, the registry's pools, the policy tables
        rounds: dict[int, list[tuple[float, list[dict[str, Any]]]]] = {1: [], 2: []}
        for _ in range(int(setting("SCALEOUT_ROUNDS", "2"))):
            for workers in (1, 2):
                rounds[workers].append(with_workers(stack, workers, ids, 2025))
                seconds, reviews = rounds[workers][-1]
                print(f"  {workers} worker(s): {len(reviews)} reviews of {sum(r['rows_total'] for r in reviews)} "
                      f"people in {seconds:.1f} s{phases(reviews)}", flush=True)  # fmt: skip
    finally:
        stack.stop()
    report(rounds, people)


def phases(reviews: list[dict[str, Any]]) -> str:
    """Median seconds per review in each phase."""
    parts = [
        f"{name} {statistics.median(r['timings'][f'{name}_seconds'] for r in reviews):.2f}"
        for name in ("export", "compute", "write")
    ]
    return "; per review (median s): " + ", ".join(parts)


def report(rounds: dict[int, list[tuple[float, list[dict[str, Any]]]]], people: int) -> None:
    """The median round of each and the speed-up."""
    one, two = (statistics.median(seconds for seconds, _ in rounds[w]) for w in (1, 2))
    reviews = len(rounds[1][0][1])
    print(f"  1 worker: {one:.1f} s ({reviews * people / one:,.0f} people/s); 2 workers: {two:.1f} s "
          f"({reviews * people / two:,.0f} people/s); speed-up {one / two:.2f}x")  # fmt: skip


if __name__ == "__main__":
    main()
