"""Review workers against the real registry app (demo data) and PostgreSQL: results, sharing, take-over, failures."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import SimpleNamespace
from typing import Any

import numpy as np
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from services.common.db import create_sessionmaker
from services.scoring import engine
from services.scoring.engine.arrow import inputs_from_arrow
from services.scoring.jobs.compute import read_export
from services.scoring.jobs.worker import ReviewWorker
from services.scoring.placements.models import Placement
from tests.scoring.conftest import Api, RegistryTransport, registry_export, wait_for_status, worker_for

LB, TG = "pemkab-lampung-barat", "pemkab-tanggamus"


async def _start(api: Api, agency: str = LB, **body: Any) -> str:
    answer = await api.post("/v1/talent-reviews", json={"agency_id": agency, "period": 2025, **body})
    assert answer.status_code == 202, answer.text
    return str(answer.json()["id"])


async def _placements(app: FastAPI, review_id: str) -> int:
    async with app.state.sessionmaker() as session:
        query = select(func.count()).select_from(Placement).where(Placement.review_id == review_id)
        return int((await session.execute(query)).scalar_one())


@asynccontextmanager
async def _own_sessions(app: FastAPI) -> AsyncIterator[async_sessionmaker[Any]]:
    """Sessions on an engine of their own: another worker process's connections."""
    own = create_async_engine(app.state.settings.database_url, pool_size=2)
    try:
        yield create_sessionmaker(own)
    finally:
        await own.dispose()


def _transport(app: FastAPI) -> RegistryTransport:
    transport: RegistryTransport = app.state.test_transport
    return transport


async def test_a_review_matches_the_engine_on_the_same_export(
    api: Api, registry: Api, scoring_app: FastAPI, agencies: dict[str, str]
) -> None:
    review_id = await _start(api)
    worker = worker_for(scoring_app, "w1")
    assert await worker.run_once()
    review = (await api.get(f"/v1/talent-reviews/{review_id}")).json()
    assert review["status"] == "completed", review
    assert review["progress"] == 1.0
    assert review["attempts"] == 1
    assert set(review["timings"]) == {"export_seconds", "compute_seconds", "write_seconds"}
    table = read_export(await registry_export(registry, agencies[LB]))
    inputs = inputs_from_arrow(table)
    expected = engine.place(inputs, engine.builtin_policy(), 2025)
    assert review["rows_total"] == len(inputs) > 0
    counts = np.bincount(expected.box.astype(int), minlength=10)
    assert review["summary"]["boxes"] == {str(box): int(counts[box]) for box in range(1, 10)}
    assert review["summary"]["incomplete"] == int((~expected.placed).sum())
    assert review["summary"]["talent_pool"] == int(expected.in_talent_pool.sum())
    served: list[dict[str, Any]] = []
    cursor = None
    while True:
        page = (
            await api.get(
                f"/v1/talent-reviews/{review_id}/placements",
                params={"limit": 500, **({"cursor": cursor} if cursor else {})},
            )
        ).json()
        served.extend(page["items"])
        if not (cursor := page["next_cursor"]):
            break
    by_nip = {p["nip"]: p for p in served}
    assert set(by_nip) == set(inputs.nip.astype(str))
    names = table["name"].to_pylist()
    for row, nip in enumerate(inputs.nip.astype(str)):
        placement = by_nip[nip]
        assert placement["name"] == names[row]
        assert placement["box"] == (int(expected.box[row]) or None)
        assert placement["missing"] == engine.missing_codes(int(expected.missing[row]))
    for row in np.flatnonzero(expected.placed)[:25]:
        nip = str(inputs.nip[row])
        one = (await api.get(f"/v1/talent-reviews/{review_id}/placements/{nip}")).json()
        assert one["explanation"] == engine.explain(inputs, int(row), engine.builtin_policy(), 2025)


async def test_two_workers_share_the_queue_and_never_run_a_review_twice(api: Api, scoring_app: FastAPI) -> None:
    reviews = [await _start(api, agency) for agency in (LB, TG, LB, TG, LB, TG)]
    async with _own_sessions(scoring_app) as first, _own_sessions(scoring_app) as second:
        workers = [
            ReviewWorker(maker, scoring_app.state.registry, scoring_app.state.settings, name=name)
            for maker, name in ((first, "worker-a"), (second, "worker-b"))
        ]
        for worker in workers:
            worker.start()
        try:
            finished = [await wait_for_status(api, review_id, {"completed", "failed"}) for review_id in reviews]
        finally:
            for worker in workers:
                await worker.shutdown(5)
    assert {review["status"] for review in finished} == {"completed"}
    done_a, done_b = (set(worker.completed) for worker in workers)
    assert not done_a & done_b
    assert done_a | done_b == set(reviews)
    assert len(workers[0].completed) + len(workers[1].completed) == len(reviews)
    assert done_a
    assert done_b
    for review in finished:
        assert review["attempts"] == 1
        assert await _placements(scoring_app, review["id"]) == review["rows_total"]


async def test_a_dead_workers_review_is_completed_once_by_another(api: Api, scoring_app: FastAPI) -> None:
    transport = _transport(scoring_app)
    gate = transport.gate = asyncio.Event()
    review_id = await _start(api)
    # The first worker claims the review and then stops renewing its lease (a hung or dead process).
    stuck = worker_for(scoring_app, "stuck", lease_seconds=1.0, heartbeat_seconds=3600.0)
    stuck_run = asyncio.create_task(stuck.run_once())
    await asyncio.wait_for(transport.export_started.wait(), 10)
    await asyncio.sleep(1.2)  # its lease expires
    transport.gate = None  # the registry answers the next export at once
    rescuer = worker_for(scoring_app, "rescuer")
    assert await rescuer.run_once()
    review = (await api.get(f"/v1/talent-reviews/{review_id}")).json()
    assert review["status"] == "completed"
    assert review["attempts"] == 2
    rows = await _placements(scoring_app, review_id)
    assert rows == review["rows_total"]
    # The first worker wakes up, computes, and finds its lease gone: nothing is written twice.
    gate.set()
    await stuck_run
    assert stuck.completed == []
    assert rescuer.completed == [review_id]
    assert await _placements(scoring_app, review_id) == rows
    assert (await api.get(f"/v1/talent-reviews/{review_id}")).json()["completed_at"] == review["completed_at"]


async def test_a_registry_failing_mid_stream_fails_the_review_with_nothing_written(
    api: Api, scoring_app: FastAPI
) -> None:
    transport = _transport(scoring_app)
    transport.break_after = 20_000
    review_id = await _start(api)
    worker = worker_for(scoring_app, "w1")
    assert await worker.run_once()  # first attempt: back to the queue
    retry = (await api.get(f"/v1/talent-reviews/{review_id}")).json()
    assert retry["status"] == "queued"
    assert retry["error"]["code"] == "export_interrupted"
    assert await worker.run_once()  # second and last attempt (max_attempts=2)
    failed = (await api.get(f"/v1/talent-reviews/{review_id}")).json()
    assert failed["status"] == "failed"
    assert failed["attempts"] == 2
    assert failed["error"]["code"] == "export_interrupted"
    assert failed["summary"] is None
    assert await _placements(scoring_app, review_id) == 0
    assert (await api.get(f"/v1/talent-reviews/{review_id}/placements")).status_code == 409
    assert transport.exports == 2


async def test_a_registry_down_waits_in_the_queue_without_spending_attempts(api: Api, scoring_app: FastAPI) -> None:
    transport = _transport(scoring_app)
    transport.refuse = True  # a restart or a database failover of the registry: it answers nothing for a while
    review_id = await _start(api)
    worker = worker_for(scoring_app, "w1", max_attempts=1)
    for _ in range(3):
        assert await worker.run_once()
        waiting = (await api.get(f"/v1/talent-reviews/{review_id}")).json()
        assert (waiting["status"], waiting["attempts"]) == ("queued", 0)
        assert waiting["error"]["code"] == "upstream_unavailable"
    transport.refuse = False
    assert await worker.run_once()
    done = (await api.get(f"/v1/talent-reviews/{review_id}")).json()
    assert (done["status"], done["attempts"]) == ("completed", 1)
    assert await _placements(scoring_app, review_id) == done["rows_total"]


async def test_a_registry_down_past_the_patience_fails_the_review(api: Api, scoring_app: FastAPI) -> None:
    _transport(scoring_app).refuse = True
    review_id = await _start(api)
    worker = worker_for(scoring_app, "w1", max_attempts=1, unavailable_patience_seconds=0)
    assert await worker.run_once()
    failed = (await api.get(f"/v1/talent-reviews/{review_id}")).json()
    assert failed["status"] == "failed"
    assert failed["error"]["code"] == "upstream_unavailable"
    assert await _placements(scoring_app, review_id) == 0


async def test_shutdown_releases_the_running_review(api: Api, scoring_app: FastAPI) -> None:
    transport = _transport(scoring_app)
    transport.gate = asyncio.Event()
    review_id = await _start(api)
    leaving = worker_for(scoring_app, "leaving")
    leaving.start()
    await asyncio.wait_for(transport.export_started.wait(), 10)
    await leaving.shutdown(0.2)
    released = (await api.get(f"/v1/talent-reviews/{review_id}")).json()
    assert released["status"] == "queued"
    assert released["attempts"] == 0
    transport.gate = None
    assert await worker_for(scoring_app, "next").run_once()
    done = (await api.get(f"/v1/talent-reviews/{review_id}")).json()
    assert done["status"] == "completed"
    assert done["attempts"] == 1


async def test_a_heartbeat_after_the_review_completed_does_not_stop_the_work(api: Api, scoring_app: FastAPI) -> None:
    """The runner's last transaction completes the review and ends the lease; a heartbeat that lands between that
    commit and the runner's 'review completed' log found no lease and cancelled the work (the e2e scale-out test
    saw the log line missing). A lease that ended because this worker completed the review is not a lost one."""
    review_id = await _start(api)
    worker = worker_for(scoring_app, "w-final", heartbeat_seconds=0.01)
    assert await worker.run_once()
    assert (await api.get(f"/v1/talent-reviews/{review_id}")).json()["status"] == "completed"
    finishing = asyncio.create_task(asyncio.sleep(30))  # the work, still between its commit and its log line
    job = SimpleNamespace(id=review_id)
    await asyncio.wait_for(worker._heartbeat(job, finishing), 5)  # type: ignore[arg-type]
    assert not finishing.cancelled()
    finishing.cancel()
    other = worker_for(scoring_app, "w-other", heartbeat_seconds=0.01)
    lost = asyncio.create_task(asyncio.sleep(30))
    await asyncio.wait_for(other._heartbeat(job, lost), 5)  # type: ignore[arg-type]
    await asyncio.sleep(0)
    assert lost.cancelled()  # a lease that is not ours any more still stops the work
