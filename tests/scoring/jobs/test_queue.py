"""The queue itself on PostgreSQL: concurrent claims from separate connections never hand out a job twice."""

from __future__ import annotations

import asyncio
import datetime as dt

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import create_async_engine

from services.common.db import create_sessionmaker, utcnow
from services.scoring.jobs.repository import QueueRepository
from tests.scoring.conftest import Api

LB = "pemkab-lampung-barat"


async def _claim_all(url: str, worker: str, claimed: list[tuple[str, str]]) -> None:
    engine = create_async_engine(url, pool_size=1)
    maker = create_sessionmaker(engine)
    try:
        while True:
            async with maker() as session, session.begin():
                job = await QueueRepository(session).claim(worker, utcnow(), 60)
            if job is None:
                return
            claimed.append((job.id, worker))
            await asyncio.sleep(0)
    finally:
        await engine.dispose()


async def test_concurrent_claims_hand_out_each_job_once(api: Api, scoring_app: FastAPI) -> None:
    ids = set()
    for _ in range(40):
        ids.add((await api.post("/v1/talent-reviews", json={"agency_id": LB, "period": 2025})).json()["id"])
    claimed: list[tuple[str, str]] = []
    url = scoring_app.state.settings.database_url
    await asyncio.gather(*(_claim_all(url, f"worker-{n}", claimed) for n in range(6)))
    assert sorted(job for job, _ in claimed) == sorted(ids)
    assert len({worker for _, worker in claimed}) > 1  # really concurrent: the work was shared
    for job, _worker in claimed:
        review = (await api.get(f"/v1/talent-reviews/{job}")).json()
        assert review["status"] == "running"
        assert review["attempts"] == 1


async def test_an_expired_lease_is_taken_over_and_the_old_owner_is_shut_out(api: Api, scoring_app: FastAPI) -> None:
    review_id = (await api.post("/v1/talent-reviews", json={"agency_id": LB, "period": 2025})).json()["id"]
    maker = scoring_app.state.sessionmaker
    now = utcnow()
    async with maker() as session, session.begin():
        first = await QueueRepository(session).claim("old", now, 1)
    assert first is not None
    async with maker() as session, session.begin():
        assert await QueueRepository(session).claim("new", now, 60) is None  # lease still valid
    later = now + dt.timedelta(seconds=2)
    async with maker() as session, session.begin():
        second = await QueueRepository(session).claim("new", later, 60)
    assert second is not None
    assert second.id == review_id
    assert second.attempts == 2
    async with maker() as session, session.begin():
        queue = QueueRepository(session)
        assert not await queue.renew(review_id, "old", later, 60, 0.5)
        assert await queue.fail(review_id, "old", later, "x", "y", retry_after=None) is None
        assert await queue.renew(review_id, "new", later, 60, 0.5)
    async with maker() as session, session.begin():
        assert await QueueRepository(session).fail_abandoned(later + dt.timedelta(seconds=120), 2) == 1
    review = (await api.get(f"/v1/talent-reviews/{review_id}")).json()
    assert review["status"] == "failed"
    assert review["error"]["code"] == "worker_lost"
