"""The dispatcher's SQL on the embedded SQLite database of `make run`: cursor, unique deliveries, claims."""

from __future__ import annotations

import asyncio
import datetime as dt
import pathlib

from services.common.db import create_database_engine, create_sessionmaker, utcnow
from services.common.migrations import upgrade_to_head
from services.gateway.settings import GatewaySettings
from services.gateway.webhooks.models import Webhook
from services.gateway.webhooks.repository import WebhookRepository
from tests.gateway.events.conftest import ROOT


async def test_dispatcher_sql_on_sqlite(tmp_path: pathlib.Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}"
    await asyncio.to_thread(upgrade_to_head, ROOT / "services" / "gateway", url)
    engine = create_database_engine(GatewaySettings(environment="test", database_url=url))
    maker = create_sessionmaker(engine)
    try:
        async with maker() as session, session.begin():
            repository = WebhookRepository(session)
            assert await repository.lock_cursor("registry") == 0
            hook = Webhook(id="w1", owner="client:x", owner_name="x", agency_id=None, url="http://127.0.0.1/h",
                           events=["employee.changed"], secret_encrypted=b"s", active=True)  # fmt: skip
            await repository.add(hook)
            assert [w.id for w in await repository.receiving()] == ["w1"]
            now = utcnow()
            row = {"id": "d1", "webhook_id": "w1", "event_id": "e1", "event_type": "employee.changed", "body": b"{}",
                   "status": "pending", "attempts": 0, "next_attempt_at": now, "created_at": now}  # fmt: skip
            await repository.add_deliveries([row])
            await repository.add_deliveries([row | {"id": "d2"}])  # the same event again: not queued twice
            await repository.move_cursor("registry", 5, now)
        async with maker() as session, session.begin():
            later = utcnow() + dt.timedelta(seconds=60)
            claimed = await WebhookRepository(session).claim_due(utcnow(), later, 10)
            assert [delivery.id for delivery, _ in claimed] == ["d1"]
        async with maker() as session, session.begin():
            repository = WebhookRepository(session)
            assert await repository.claim_due(utcnow(), utcnow(), 10) == []  # claimed: not due until later
            assert await repository.lock_cursor("registry") == 5
    finally:
        await engine.dispose()
