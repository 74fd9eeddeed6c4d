"""The fault drill: real processes under steady load (awards, reviews and imports written, people and reviews
read) while scoring and the registry are stopped and restarted, PostgreSQL refuses each service's connections, and
the registry hangs; then a review worker is killed mid-run.

What a client may see is a 503 or 504 problem+json, retried with the same Idempotency-Key; afterwards every
acknowledged write is in the database exactly once, every review and import that met a fault ended once (a review
completed, an import with all its rows or none), and the services came back by themselves within seconds.
The stack runs on `talenta_proof_drill_*` databases of its own: nothing else is made to refuse connections.
"""

from __future__ import annotations

import asyncio
import json
import signal
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import httpx
import pytest

from services.launcher.stack import Stack
from tests.conftest import POSTGRES_URL
from tests.e2e.harness import LAMPUNG_BARAT, Api, ok, until
from tests.proof.running import proof_stack, query, signed_in
from tests.proof.stack import WORKERS, database_name

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]  # a hung process fails the test, not CI
TAG = "drill"
ADMIN = "lampungbarat.admin"
READ_TIMEOUT = 2.0  # the gateway's downstream read timeout: a hung registry costs two seconds, not ten
RECOVERY_SECONDS = 10.0  # from the end of a fault until the gateway serves the affected routes again
WRITE_BUDGET = 60.0  # how long a client keeps retrying one write
WRITERS, READERS = 6, 2
DRILL_ENV = {
    "GATEWAY_DOWNSTREAM_READ_TIMEOUT_SECONDS": str(READ_TIMEOUT),
    "SCORING_LOG_LEVEL": "INFO",  # the workers' "review completed" lines are counted
}
RETRYABLE = (503, 504)


@pytest.fixture(scope="module")
def drill(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The product on the drill's own databases, with two review workers."""
    yield from proof_stack(TAG, tmp_path_factory, agencies=2, people_per_agency=40, env=DRILL_ENV)


@pytest.fixture(scope="module")
async def drill_api(drill: Stack) -> AsyncIterator[Api]:
    """The drill gateway's public API, signed in before any fault."""
    async with signed_in(drill, ADMIN) as client:
        yield client


@dataclass
class Write:
    """One POST a client means to make, under one Idempotency-Key for all its tries."""

    path: str
    body: dict[str, Any]
    key: str = field(default_factory=lambda: str(uuid.uuid4()))
    statuses: list[int] = field(default_factory=list)
    replayed: bool = False
    answer: dict[str, Any] = field(default_factory=dict)
    upload: bytes | None = None  # a file: the body goes as the form beside it

    def content(self) -> dict[str, Any]:
        """The request's body arguments: JSON, or a multipart form with the file."""
        if self.upload is None:
            return {"json": self.body}
        return {"data": self.body, "files": {"file": ("drill.csv", self.upload, "text/csv")}}

    @property
    def acknowledged(self) -> bool:
        return bool(self.statuses) and 200 <= self.statuses[-1] < 300


@dataclass
class Load:
    """Writers and readers through the gateway, and every answer that was not a success."""

    api: Api
    nips: list[str]
    writes: list[Write] = field(default_factory=list)
    reviews: list[Write] = field(default_factory=list)
    imports: list[Write] = field(default_factory=list)
    reads: Counter[int] = field(default_factory=Counter)
    failures: list[tuple[str, int, str, dict[str, Any]]] = field(default_factory=list)
    stopping: asyncio.Event = field(default_factory=asyncio.Event)

    async def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """One request as the agency admin; a failure is kept with its content type and body."""
        answer = await self.api.request(ADMIN, method, path, **kwargs)
        if not answer.is_success:
            body = answer.json() if answer.content else {}
            self.failures.append((f"{method} {path}", answer.status_code, answer.headers.get("content-type", ""), body))
        return answer

    async def deliver(self, write: Write) -> None:
        """POST until acknowledged, retrying 503/504 with the same key, as a real client does."""
        deadline = time.monotonic() + WRITE_BUDGET
        while time.monotonic() < deadline:
            answer = await self.call("POST", write.path, headers={"Idempotency-Key": write.key}, **write.content())
            write.statuses.append(answer.status_code)
            if answer.status_code not in RETRYABLE:
                write.replayed = answer.headers.get("idempotent-replayed") == "true"
                write.answer = answer.json()
                return
            await asyncio.sleep(0.2)

    async def writer(self, index: int) -> None:
        """Award after award, until told to stop (the write in hand is always finished)."""
        count = 0
        while not self.stopping.is_set():
            nip = self.nips[(index * 7 + count) % len(self.nips)]
            body = {"awarded_on": "2025-08-17", "name": f"Drill award {index}-{count}", "level": "agency"}
            write = Write(f"/api/v1/employees/{nip}/awards", body)
            self.writes.append(write)
            await self.deliver(write)
            count += 1
            await asyncio.sleep(0.05)

    async def reviewer(self) -> None:
        """A review of the agency every few seconds: some meet a fault while they run."""
        while not self.stopping.is_set():
            review = Write("/api/v1/talent-reviews", {"agency_id": LAMPUNG_BARAT, "period": 2025})
            self.reviews.append(review)
            await self.deliver(review)
            await asyncio.sleep(1.5)

    async def importer(self) -> None:
        """An atomic file of three awards every few seconds: some meet a fault while they run."""
        while not self.stopping.is_set():
            rows = [
                f"{nip},2025-08-17,Drill import {len(self.imports)}-{i},agency" for i, nip in enumerate(self.nips[:3])
            ]
            upload = "\n".join(["nip,awarded_on,name,level", *rows]).encode()
            write = Write("/api/v1/imports", {"kind": "awards", "agency_id": LAMPUNG_BARAT}, upload=upload)
            self.imports.append(write)
            await self.deliver(write)
            await asyncio.sleep(2)

    async def reader(self, index: int) -> None:
        """A person and the agency's reviews in turn: one read on each downstream."""
        count = 0
        while not self.stopping.is_set():
            nip = self.nips[(index + count) % len(self.nips)]
            path = f"/api/v1/employees/{nip}" if count % 2 else "/api/v1/talent-reviews"
            answer = await self.call("GET", path, params={} if count % 2 else {"agency_id": LAMPUNG_BARAT})
            self.reads[answer.status_code] += 1
            count += 1
            await asyncio.sleep(0.05)


async def agency_nips(api: Api) -> list[str]:
    """The NIPs of the agency admin's people (the writers' targets)."""
    people = ok(await api.get(ADMIN, "/api/v1/employees", params={"agency_id": LAMPUNG_BARAT, "limit": 30}))
    return [person["nip"] for person in people["items"]]


async def recovery_seconds(api: Api, path: str, params: dict[str, str] | None = None) -> float:
    """How long after now until the gateway is ready and answers `path` with 200 again."""
    started = time.monotonic()

    async def serving() -> bool:
        ready = await api.http.get("/readyz")
        return ready.status_code == 200 and (await api.get(ADMIN, path, params=params)).status_code == 200

    await until(serving, bool, RECOVERY_SECONDS + 20, 0.1)
    return time.monotonic() - started


async def refuse_connections(stack: Stack, service: str, seconds: float) -> None:
    """PostgreSQL takes no new session on the service's database for `seconds`, and drops the ones it has."""
    database = database_name(TAG, service)
    assert database.startswith("talenta_proof_drill_")  # only the drill's own databases are ever refused
    admin = await asyncpg.connect(POSTGRES_URL)
    try:
        await admin.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS false')
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
            database,
        )
        await asyncio.sleep(seconds)
    finally:
        await admin.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS true')
        await admin.close()


async def stop_and_restart(stack: Stack, service: str, seconds: float) -> None:
    """The service gone for `seconds` (graceful stop), then started again as it was."""
    await asyncio.to_thread(stack.stop_service, service)
    await asyncio.sleep(seconds)
    await asyncio.to_thread(stack.restart, service)


async def freeze(stack: Stack, service: str, seconds: float) -> None:
    """The service alive and accepting connections but answering nothing (slow) for `seconds`."""
    stack.signal(service, signal.SIGSTOP)
    try:
        await asyncio.sleep(seconds)
    finally:
        stack.signal(service, signal.SIGCONT)


async def test_under_load_faults_lose_no_write_apply_none_twice_and_heal_by_themselves(
    drill: Stack, drill_api: Api
) -> None:
    nips = await agency_nips(drill_api)
    load = Load(drill_api, nips)
    clients = [asyncio.create_task(load.writer(i)) for i in range(WRITERS)]
    clients += [asyncio.create_task(load.reader(i)) for i in range(READERS)]
    clients += [asyncio.create_task(load.reviewer()), asyncio.create_task(load.importer())]
    employee = f"/api/v1/employees/{nips[0]}"
    faults: list[tuple[str, Callable[[], Awaitable[None]], str, dict[str, str] | None]] = [
        ("scoring stopped", lambda: stop_and_restart(drill, "scoring", 3), "/api/v1/talent-reviews",
         {"agency_id": LAMPUNG_BARAT}),
        ("registry stopped", lambda: stop_and_restart(drill, "registry", 3), employee, None),
        ("registry database refusing", lambda: refuse_connections(drill, "registry", 4), employee, None),
        ("registry hung", lambda: freeze(drill, "registry", 4), employee, None),
        ("scoring database refusing", lambda: refuse_connections(drill, "scoring", 3), "/api/v1/talent-reviews",
         {"agency_id": LAMPUNG_BARAT}),
        ("gateway database refusing", lambda: refuse_connections(drill, "gateway", 3), employee, None),
    ]  # fmt: skip
    recoveries: dict[str, float] = {}
    try:
        await asyncio.sleep(2)  # steady load first
        for name, fault, path, params in faults:
            await fault()
            recoveries[name] = await recovery_seconds(drill_api, path, params)
            await asyncio.sleep(2)
    finally:
        load.stopping.set()
        await asyncio.gather(*clients)
    print(summary(load, recoveries))  # noqa: T201 -- the drill's figures, shown with -s
    assert all(seconds <= RECOVERY_SECONDS for seconds in recoveries.values()), recoveries
    await assert_every_acknowledged_write_stored_once(drill, load)
    assert_failures_were_retryable_problems(load)
    await assert_every_review_completed_once(drill, drill_api, load.reviews)
    await assert_every_import_whole(drill, drill_api, load.imports)


def summary(load: Load, recoveries: dict[str, float]) -> str:
    """What the clients did and saw, for the test's output."""
    statuses = Counter(status for write in load.writes for status in write.statuses)
    replays = sum(write.replayed for write in load.writes)
    recovered = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in recoveries.items())
    return (
        f"drill: {len(load.writes)} writes ({dict(statuses)}, {replays} answered as replays), "
        f"{len(load.reviews)} reviews ({dict(Counter(s for review in load.reviews for s in review.statuses))}), "
        f"{len(load.imports)} imports ({dict(Counter(s for upload in load.imports for s in upload.statuses))}), "
        f"reads {dict(load.reads)}; recovered: {recovered}"
    )


async def assert_every_acknowledged_write_stored_once(stack: Stack, load: Load) -> None:
    """Each write was acknowledged in the end, and the registry holds each exactly once, and nothing else."""
    unacknowledged = [(write.body, write.statuses) for write in load.writes if not write.acknowledged]
    assert not unacknowledged, unacknowledged
    rows = await query(stack, "registry", "SELECT id, nip, name FROM awards WHERE name LIKE 'Drill award %'")
    stored = Counter((row["id"], row["nip"], row["name"]) for row in rows)
    assert stored == Counter((write.answer["id"], write.answer["nip"], write.body["name"]) for write in load.writes)
    # The drill must have bitten: clients saw both kinds of failure and retried through them.
    assert {status for write in load.writes for status in write.statuses} >= {201, 503, 504}


def assert_failures_were_retryable_problems(load: Load) -> None:
    """Every failure a client saw was a 503 or 504 problem+json, never a 500, a 409 or a bare error page."""
    wrong = [
        failure
        for failure in load.failures
        if failure[1] not in RETRYABLE
        or not failure[2].startswith("application/problem+json")
        or failure[3].get("status") != failure[1]
    ]
    assert not wrong, wrong[:10]


async def assert_every_review_completed_once(stack: Stack, api: Api, reviews: list[Write]) -> None:
    """Each review started during the drill completed (retried past the faults it met), once, and no other."""
    assert all(review.acknowledged for review in reviews), [review.statuses for review in reviews]
    ids = [review.answer["id"] for review in reviews]
    jobs = await asyncio.gather(*(api.wait_for_job(ADMIN, f"/api/v1/talent-reviews/{i}", 90) for i in ids))
    assert [job["status"] for job in jobs] == ["completed"] * len(ids), jobs
    sql = (
        "SELECT r.id, r.rows_total, count(p.nip) AS n, count(DISTINCT p.nip) AS people FROM talent_reviews r "
        "LEFT JOIN placements p ON p.review_id = r.id GROUP BY r.id, r.rows_total"
    )
    rows = await query(stack, "scoring", sql)
    assert sorted(row["id"] for row in rows) == sorted(ids)  # a replayed POST started no second review
    assert all(row["n"] == row["people"] == row["rows_total"] > 0 for row in rows), rows


async def assert_every_import_whole(stack: Stack, api: Api, imports: list[Write]) -> None:
    """Each file started during the drill ended, once, with all its rows written or none (a registry stopped
    under a job fails it: nothing written, upload again)."""
    assert all(upload.acknowledged for upload in imports), [upload.statuses for upload in imports]
    ids = [upload.answer["id"] for upload in imports]
    jobs = await asyncio.gather(*(api.wait_for_job(ADMIN, f"/api/v1/imports/{i}", 90) for i in ids))
    assert "completed" in {job["status"] for job in jobs}, jobs
    rows = await query(stack, "registry", "SELECT name FROM awards WHERE name LIKE 'Drill import %'")
    stored = Counter(row["name"].rsplit("-", 1)[0] for row in rows)
    assert stored == {f"Drill import {n}": 3 for n, job in enumerate(jobs) if job["status"] == "completed"}, jobs
    started = await query(stack, "registry", "SELECT id FROM imports")
    assert sorted(row["id"] for row in started) == sorted(ids)  # a replayed upload started no second job


async def start_review(api: Api) -> str:
    """A review of the agency through the gateway; its id."""
    answer = await api.post(ADMIN, "/api/v1/talent-reviews", json={"agency_id": LAMPUNG_BARAT, "period": 2025})
    return str(ok(answer, 202)["id"])


def worker_of(stack: Stack, lease_owner: str) -> str:
    """The worker instance whose process owns a lease (`host:pid:random`)."""
    pid = int(lease_owner.split(":")[1])
    return next(name for name in WORKERS if stack.processes[name].pid == pid)


def completed_lines(stack: Stack, review_id: str) -> int:
    """How many "review completed" lines name the review, across both workers' logs."""
    return sum(
        1
        for worker in WORKERS
        for line in (stack.log_dir / f"{worker}.log").read_text(errors="replace").splitlines()
        if '"review completed"' in line and json.loads(line).get("review_id") == review_id
    )


async def test_a_review_whose_worker_is_killed_is_completed_once_by_the_other(drill: Stack, drill_api: Api) -> None:
    assert all(drill.processes[worker].poll() is None for worker in WORKERS)  # both lived through the drill
    warm = await start_review(drill_api)  # the agency is resolved and cached before the registry hangs
    await drill_api.wait_for_job(ADMIN, f"/api/v1/talent-reviews/{warm}")

    async def lease(review_id: str) -> str | None:
        rows = await query(drill, "scoring", "SELECT lease_owner FROM talent_reviews WHERE id = $1", review_id)
        return rows[0]["lease_owner"] if rows else None

    drill.signal("registry", signal.SIGSTOP)  # the review's export hangs: its worker is caught mid-run
    try:
        review_id = await start_review(drill_api)
        killed = worker_of(drill, await until(lambda: lease(review_id), lambda owner: owner is not None, 20))
        survivor = next(worker for worker in WORKERS if worker != killed)
        drill.signal(killed, signal.SIGKILL)  # no release, no goodbye: only the lease's expiry frees the review
        await asyncio.to_thread(drill.processes[killed].wait, 10)
        taken = await until(lambda: lease(review_id), lambda o: o is not None and worker_of(drill, o) == survivor, 30)
        assert taken
    finally:
        drill.signal("registry", signal.SIGCONT)
    try:
        job = await drill_api.wait_for_job(ADMIN, f"/api/v1/talent-reviews/{review_id}", 60)
        assert job["status"] == "completed", job
        await assert_completed_once(drill, review_id, survivor)
    finally:
        await asyncio.to_thread(drill.restart, killed)


async def assert_completed_once(stack: Stack, review_id: str, survivor: str) -> None:
    """Two tries (the killed one counted), finished by the survivor; one placement a person; one log line."""
    sql = "SELECT attempts, processed_by, rows_total FROM talent_reviews WHERE id = $1"
    review = (await query(stack, "scoring", sql, review_id))[0]
    assert (review["attempts"], worker_of(stack, review["processed_by"])) == (2, survivor)
    counts = await query(
        stack, "scoring", "SELECT count(*) AS n, count(DISTINCT nip) AS people FROM placements WHERE review_id = $1",
        review_id,
    )  # fmt: skip
    assert (counts[0]["n"], counts[0]["people"]) == (review["rows_total"], review["rows_total"])
    assert review["rows_total"] > 0
    # The worker logs a review after its commit, so its line may follow the database by a moment.
    await until(lambda: asyncio.sleep(0, completed_lines(stack, review_id)), lambda n: n >= 1, 10)
    await asyncio.sleep(1)  # time for a second line, were there one
    assert completed_lines(stack, review_id) == 1
