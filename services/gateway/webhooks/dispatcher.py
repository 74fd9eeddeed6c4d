"""The webhook dispatcher: fans the services' feeds out into deliveries from stored cursors, then sends them.

Fan-out: for each service, one replica at a time (the cursor row locked with SKIP LOCKED) reads the feed after the
stored position, queues a delivery per matching webhook (unique per webhook and event) and moves the cursor in
the same transaction: an event committed just before a crash is read again after the restart, and queued once.
Sending: due deliveries are claimed with FOR UPDATE SKIP LOCKED and pushed out of reach for `claim` seconds before
the HTTP call, so replicas never send one at the same time; a 2xx answer delivers it, anything else schedules the
next try (exponential backoff) until the retry window has passed. A process that dies while sending leaves the
claimed deliveries due again after the claim: delivery is at least once, and the event id lets receivers de-dupe.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import time
from typing import Any

import httpx
import orjson
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.common.db import utcnow
from services.common.http import ServiceClient
from services.common.ids import new_id
from services.common.service_token import system_identity
from services.gateway.auth.keys import KeyCipher
from services.gateway.events.catalog import SOURCES
from services.gateway.events.client import read_feed
from services.gateway.settings import GatewaySettings
from services.gateway.webhooks.models import DELIVERED, FAILED, PENDING, DeliveryAttempt, Webhook, WebhookDelivery
from services.gateway.webhooks.repository import WebhookRepository
from services.gateway.webhooks.service import SECRET_INFO, owner_access, receives, resolves_inside
from services.gateway.webhooks.signing import delivery_headers

logger = logging.getLogger("talenta.gateway.webhooks")
IDENTITY = system_identity("gateway")
FEED_PAGE = 500
PRIVATE_ADDRESS = "private_address"  # the endpoint's name resolved inside the deployment: nothing sent
_EVENT_FIELDS = ("id", "type", "source", "subject", "agency_id", "occurred_at", "data")


class Dispatcher:
    """One dispatcher (in the gateway app, or a process of its own); any number may run."""

    def __init__(
        self,
        maker: async_sessionmaker[AsyncSession],
        services: dict[str, ServiceClient],
        settings: GatewaySettings,
        http: httpx.AsyncClient | None = None,
    ) -> None:
        self.maker = maker
        self.services = services
        self.settings = settings
        self.cipher = KeyCipher(settings.webhook_key(), info=SECRET_INFO)
        self.http = http or httpx.AsyncClient(timeout=settings.webhook_timeout_seconds, follow_redirects=False)
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()

    async def fan_out(self, source: str) -> int:
        """Queue deliveries for the events of one service's feed after the stored cursor; how many events read."""
        async with self.maker() as session, session.begin():
            repository = WebhookRepository(session)
            position = await repository.lock_cursor(source)
            if position is None:  # another replica is fanning this feed out right now
                return 0
            page = await read_feed(self.services[source], IDENTITY, position, FEED_PAGE, None)
            if not page.items:
                return 0
            webhooks = await repository.receiving()
            owners = await repository.owners(webhooks)
            access = {webhook.id: owner_access(owners.get(webhook.owner)) for webhook in webhooks}
            now = utcnow()
            rows = [
                {
                    "id": new_id(),
                    "webhook_id": webhook.id,
                    "event_id": event["id"],
                    "event_type": event["type"],
                    "body": orjson.dumps({name: event.get(name) for name in _EVENT_FIELDS}),
                    "status": PENDING,
                    "attempts": 0,
                    "next_attempt_at": now,
                    "created_at": now,
                }
                for event in page.items
                for webhook in webhooks
                if receives(webhook, access[webhook.id], event)
            ]
            await repository.add_deliveries(rows)
            await repository.move_cursor(source, page.next_after, now)
            return len(page.items)

    async def send_due(self) -> int:
        """Claim the due deliveries and send them (a few at a time); how many were tried."""
        now = utcnow()
        until = now + dt.timedelta(seconds=self.settings.webhook_claim_seconds)
        async with self.maker() as session, session.begin():
            claimed = await WebhookRepository(session).claim_due(now, until, self.settings.webhook_batch)
        gate = asyncio.Semaphore(self.settings.webhook_concurrency)

        async def one(delivery: WebhookDelivery, webhook: Webhook) -> None:
            async with gate:
                await self._send(delivery, webhook)

        await asyncio.gather(*(one(delivery, webhook) for delivery, webhook in claimed))
        return len(claimed)

    async def _send(self, delivery: WebhookDelivery, webhook: Webhook) -> None:
        started = time.perf_counter()
        status: int | None = None
        error: str | None = None
        try:
            if not self.settings.is_local and await resolves_inside(webhook.url):
                error = PRIVATE_ADDRESS  # nothing sent; retried like a failure, since the name may be fixed
            else:
                status = await self._post(delivery, webhook)
        except Exception as exc:  # the receiver unreachable, slow, or the secret unreadable: recorded, retried
            error = type(exc).__name__
        spent = (time.perf_counter() - started) * 1000
        await self._record(delivery, status, error, spent)

    async def _post(self, delivery: WebhookDelivery, webhook: Webhook) -> int:
        secret = self.cipher.decrypt(webhook.secret_encrypted, webhook.id).decode()
        headers = delivery_headers(
            secret, int(time.time()), delivery.body, delivery.event_id, delivery.event_type, delivery.id
        )
        response = await self.http.post(webhook.url, content=delivery.body, headers=headers)
        return response.status_code

    def backoff(self, attempts: int) -> float:
        """Seconds before the next try after `attempts` failed ones: base x 2^(attempts-1), capped."""
        return float(
            min(self.settings.webhook_retry_base_seconds * 2 ** (attempts - 1), self.settings.webhook_retry_max_seconds)
        )

    async def _record(self, delivery: WebhookDelivery, status: int | None, error: str | None, spent: float) -> None:
        now = utcnow()
        attempts = delivery.attempts + 1
        outcome: dict[str, Any] = {"attempts": attempts, "last_status_code": status, "last_error": error}
        if status is not None and 200 <= status < 300:
            outcome |= {"status": DELIVERED, "delivered_at": now}
        else:
            retry_at = now + dt.timedelta(seconds=self.backoff(attempts))
            window_end = delivery.created_at + dt.timedelta(seconds=self.settings.webhook_retry_window_seconds)
            outcome |= {"status": FAILED} if retry_at > window_end else {"next_attempt_at": retry_at}
        attempt = DeliveryAttempt(
            id=new_id(), delivery_id=delivery.id, attempted_at=now, status_code=status, error=error, duration_ms=spent
        )
        async with self.maker() as session, session.begin():
            await WebhookRepository(session).record(attempt, outcome)

    async def run_once(self) -> int:
        """One round: fan out every feed, then send what is due; how many events and deliveries were handled."""
        handled = 0
        for source in SOURCES:
            handled += await self.fan_out(source)
        return handled + await self.send_due()

    async def run(self) -> None:
        """Rounds until stopped; a failed round (a service down, a database hiccup) is retried next round."""
        while not self._stopping.is_set():
            try:
                busy = await self.run_once()
            except Exception as exc:
                logger.warning("dispatcher round failed", extra={"error": type(exc).__name__})
                busy = 0
            if not busy:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), self.settings.dispatcher_poll_seconds)

    def start(self) -> None:
        """Run in the background of the current event loop."""
        self._task = asyncio.create_task(self.run(), name="webhook-dispatcher")

    def request_stop(self) -> None:
        """Ask the loop to stop after its current round."""
        self._stopping.set()

    async def stop(self) -> None:
        """Finish the current round, stop, and close the HTTP client."""
        self._stopping.set()
        if self._task is not None:
            await self._task
        await self.http.aclose()
