"""Scale-out, proven with real processes: review workers apart from the scoring API share one PostgreSQL queue
(every review completed exactly once, placements as one worker makes them, a stopping worker's review handed
to the other); gateway replicas share their rate limits through Redis."""

from __future__ import annotations

import asyncio
import json
import math
import signal
import time
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import asyncpg
import httpx
import pytest
import redis.asyncio as aioredis

from services.common.migrations import upgrade_to_head
from services.launcher.stack import ROOT, Stack
from tests.conftest import recreate_database
from tests.e2e.harness import Api, ok, service_headers, until

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]  # a hung process fails the test, not CI
API, WORKERS = "scoring-api", ("worker-1", "worker-2")
POLICIES = ("permenpanrb-3-2020", "simata-2025")
REDIS_URL = "redis://127.0.0.1:6379/14"  # a database of its own: the test empties it
PLACEMENT = "nip, box, effective_box, performance_level, potential_level, potential_score, jpm, missing"


@dataclass
class Scoring:
    """A scoring API without a worker, two worker processes, and their own database."""

    stack: Stack
    database: str
    http: httpx.AsyncClient

    async def submit(self, agency: str, policy: str) -> str:
        body = {"agency_id": agency, "period": 2025, "policy_id": policy}
        answer = await self.http.post("/v1/talent-reviews", json=body, headers=service_headers("scoring"))
        return str(ok(answer, 202)["id"])

    async def completed(self, ids: list[str], seconds: float = 120) -> None:
        async def statuses() -> Counter[str]:
            rows = await self.query("SELECT status FROM talent_reviews WHERE id = ANY($1)", ids)
            return Counter(row["status"] for row in rows)

        done = await until(statuses, lambda count: count["queued"] + count["running"] == 0, seconds, 0.2)
        assert done == Counter({"completed": len(ids)}), done

    async def query(self, sql: str, *args: Any) -> list[asyncpg.Record]:
        connection = await asyncpg.connect(self.database)
        try:
            return list(await connection.fetch(sql, *args))
        finally:
            await connection.close()

    def worker_of(self, lease_owner: str) -> str:
        """The instance whose process owns a worker name (`host:pid:random`)."""
        pid = int(lease_owner.split(":")[1])
        return next(name for name in WORKERS if self.stack.processes[name].pid == pid)


@pytest.fixture(scope="module")
async def scoring(stack: Stack) -> AsyncIterator[Scoring]:
    url = await recreate_database("talenta_e2e_scaleout_scoring")
    await asyncio.to_thread(upgrade_to_head, ROOT / "services" / "scoring", url)
    env = {"SCORING_DATABASE_URL": url, "SCORING_WORKER_POLL_SECONDS": "0.1", "SCORING_SHUTDOWN_GRACE_SECONDS": "1"}
    stack.start_service("scoring", instance=API, env={**env, "SCORING_RUN_WORKER": "false"}, wait=False)
    for worker in WORKERS:
        stack.start_worker(worker, env=env, wait=False)
    try:
        for name in (API, *WORKERS):
            await asyncio.to_thread(stack.wait_ready, name)
        async with httpx.AsyncClient(base_url=stack.url(API), timeout=30) as http:
            yield Scoring(stack, url.replace("postgresql+asyncpg://", "postgresql://"), http)
    finally:
        for name in (*WORKERS, API):
            await asyncio.to_thread(stack.stop_service, name)


async def agency_codes(api: Api) -> list[str]:
    agencies = ok(await api.get("national.admin", "/api/v1/agencies", params={"limit": 500}))["items"]
    assert len(agencies) >= 8
    return [agency["code"] for agency in agencies]


async def run_all(scoring: Scoring, codes: list[str]) -> dict[tuple[str, str], str]:
    """One review per agency and policy, submitted together; their ids once all are completed."""
    pairs = [(code, policy) for code in codes for policy in POLICIES]
    ids = await asyncio.gather(*(scoring.submit(code, policy) for code, policy in pairs))
    await scoring.completed(list(ids))
    return dict(zip(pairs, ids, strict=True))


async def metric(stack: Stack, instance: str, line_start: str) -> float:
    async with httpx.AsyncClient() as client:
        text = (await client.get(stack.url(instance) + "/metrics")).text
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith(line_start))


async def test_two_workers_complete_every_review_exactly_once_as_one_worker_would(api: Api, scoring: Scoring) -> None:
    codes = await agency_codes(api)
    shared = await run_all(scoring, codes)
    reviews = await scoring.query(
        "SELECT id, attempts, processed_by, rows_total FROM talent_reviews WHERE id = ANY($1)", list(shared.values())
    )
    assert {row["attempts"] for row in reviews} == {1}  # nobody ran one twice, nothing failed and was retried
    assert {scoring.worker_of(row["processed_by"]) for row in reviews} == set(WORKERS)  # both took a share
    counts = await scoring.query(
        "SELECT review_id, count(*) AS n, count(DISTINCT nip) AS people FROM placements "
        "WHERE review_id = ANY($1) GROUP BY review_id",
        list(shared.values()),
    )
    rows_total = {row["id"]: row["rows_total"] for row in reviews}
    assert {row["review_id"]: (row["n"], row["people"]) for row in counts} == {
        review_id: (total, total) for review_id, total in rows_total.items()
    }
    # A worker logs a review after its transaction commits, so the last line may follow the database by a moment.
    expected = dict.fromkeys(shared.values(), 1)
    logged = await until(lambda: completed_in_logs(scoring, list(shared.values())), lambda c: c == expected, 10)
    assert logged == expected  # each exactly once, across both workers' logs
    jobs = [await metric(scoring.stack, w, 'scoring_review_jobs_total{outcome="completed"}') for w in WORKERS]
    assert sum(jobs) == len(shared)
    assert await metric(scoring.stack, API, "scoring_review_jobs_total{") == 0  # the API process runs none

    await asyncio.to_thread(scoring.stack.stop_service, WORKERS[1])
    try:
        alone = await run_all(scoring, codes)
        single = await scoring.query("SELECT processed_by FROM talent_reviews WHERE id = ANY($1)", list(alone.values()))
        assert {scoring.worker_of(row["processed_by"]) for row in single} == {WORKERS[0]}
        for pair, review_id in shared.items():
            assert await placements(scoring, review_id) == await placements(scoring, alone[pair]), pair
    finally:
        await asyncio.to_thread(scoring.stack.restart, WORKERS[1])


async def completed_in_logs(scoring: Scoring, review_ids: list[str]) -> dict[str, int]:
    """How many "review completed" lines each review has across both workers' logs."""
    lines = Counter(
        json.loads(line)["review_id"]
        for worker in WORKERS
        for line in (scoring.stack.log_dir / f"{worker}.log").read_text().splitlines()
        if '"review completed"' in line
    )
    return {review_id: lines[review_id] for review_id in review_ids}


async def placements(scoring: Scoring, review_id: str) -> list[tuple[Any, ...]]:
    rows = await scoring.query(f"SELECT {PLACEMENT} FROM placements WHERE review_id = $1 ORDER BY nip", review_id)
    assert rows
    return [tuple(row) for row in rows]


async def test_a_stopping_worker_gives_its_review_back_to_the_other(api: Api, scoring: Scoring) -> None:
    stack = scoring.stack
    agency = (await agency_codes(api))[2]
    stack.signal("registry", signal.SIGSTOP)  # the review's export hangs: it stays running until we let go
    try:
        review_id = await scoring.submit(agency, POLICIES[0])

        async def lease() -> str | None:
            rows = await scoring.query("SELECT lease_owner FROM talent_reviews WHERE id = $1", review_id)
            return rows[0]["lease_owner"]

        leaving = scoring.worker_of(await until(lease, lambda owner: owner is not None, 20))
        staying = next(w for w in WORKERS if w != leaving)
        stack.signal(leaving, signal.SIGTERM)
        code = await asyncio.to_thread(stack.processes[leaving].wait, 20)
        assert code in (0, -signal.SIGTERM)
        taken = await until(lease, lambda owner: owner is not None and scoring.worker_of(owner) == staying, 20)
        assert taken
    finally:
        stack.signal("registry", signal.SIGCONT)
    await scoring.completed([review_id])
    row = (await scoring.query("SELECT attempts, processed_by FROM talent_reviews WHERE id = $1", review_id))[0]
    assert (row["attempts"], scoring.worker_of(row["processed_by"])) == (1, staying)  # the released try is not counted
    released = [line for line in stack.log_tail(leaving, 20000).splitlines() if "review released on shutdown" in line]
    assert [json.loads(line)["review_id"] for line in released] == [review_id]


async def test_two_gateway_replicas_share_the_rate_limit_through_redis(stack: Stack, api: Api) -> None:
    store = aioredis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        await store.ping()
    except (aioredis.RedisError, OSError):
        pytest.skip(f"Redis unreachable at {REDIS_URL}")
    await store.flushdb()
    rate, burst = 1, 10
    env = {"GATEWAY_REDIS_URL": REDIS_URL, "GATEWAY_RATE_LIMIT_PER_SECOND": str(rate),
           "GATEWAY_RATE_LIMIT_BURST": str(burst)}  # fmt: skip
    replicas = ("gateway-r1", "gateway-r2")
    for name in replicas:
        stack.start_service("gateway", instance=name, env=env, wait=False)
    clients = [Api(stack.url(name)) for name in replicas]
    try:
        for name in replicas:
            await asyncio.to_thread(stack.wait_ready, name)
        headers = await api.as_("viewer.lampungbarat")  # a token of the session's gateway: every replica takes it
        started = time.monotonic()
        answers = await asyncio.gather(
            *(clients[i % 2].http.get("/api/v1/me", headers=headers) for i in range(4 * burst))
        )
        elapsed = time.monotonic() - started
        by_replica = [Counter(a.status_code for a in answers[i::2]) for i in range(2)]
        allowed = sum(c[200] for c in by_replica)
        # One bucket for both: the burst plus what refilled meanwhile. Two buckets would allow twice the burst.
        assert burst <= allowed <= burst + math.ceil(elapsed * rate) + 1, (by_replica, elapsed)
        assert all(c[429] for c in by_replica), by_replica  # each replica refuses once the shared bucket is empty
        assert all(a.headers["retry-after"] for a in answers if a.status_code == 429)
        assert [key async for key in store.scan_iter("talenta:gw:rl:p:*")]  # the bucket lives in Redis
    finally:
        for client in clients:
            await client.aclose()
        for name in replicas:
            await asyncio.to_thread(stack.stop_service, name)
        await store.aclose()
