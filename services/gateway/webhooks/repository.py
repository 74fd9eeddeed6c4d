"""All SQL of webhooks: registrations, the fan-out cursor, deliveries claimed with FOR UPDATE SKIP LOCKED."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, exists, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.db import is_postgres
from services.gateway.auth.models import Client, User
from services.gateway.webhooks.models import (
    CANCELLED,
    PENDING,
    DeliveryAttempt,
    EventCursor,
    Webhook,
    WebhookDelivery,
)


class WebhookRepository:
    """Reads and writes of the webhook tables."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def _insert(self, table: Any) -> Any:
        return (postgresql.insert if is_postgres(self.session) else sqlite.insert)(table)

    async def add(self, webhook: Webhook) -> Webhook:
        """Insert a webhook."""
        self.session.add(webhook)
        await self.session.flush()
        return webhook

    async def get(self, webhook_id: str) -> Webhook | None:
        """A webhook that is not deleted."""
        query = select(Webhook).where(Webhook.id == webhook_id, Webhook.deleted_at.is_(None))
        return (await self.session.execute(query)).scalar_one_or_none()

    async def page(self, owner: str | None, after: str | None, limit: int) -> Sequence[Webhook]:
        """Webhooks in id order (of one owner, or all)."""
        query = select(Webhook).where(Webhook.deleted_at.is_(None)).order_by(Webhook.id).limit(limit)
        if owner is not None:
            query = query.where(Webhook.owner == owner)
        if after is not None:
            query = query.where(Webhook.id > after)
        return (await self.session.execute(query)).scalars().all()

    async def cancel_pending(self, webhook_id: str) -> None:
        """Stop every delivery still waiting for a deleted webhook."""
        await self.session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.webhook_id == webhook_id, WebhookDelivery.status == PENDING)
            .values(status=CANCELLED)
        )

    async def receiving(self) -> Sequence[Webhook]:
        """Active webhooks whose owner is not disabled (a disabled client or user receives nothing)."""
        disabled_client = exists().where(
            and_(literal("client:").concat(Client.client_id) == Webhook.owner, Client.disabled.is_(True))
        )
        disabled_user = exists().where(and_(literal("user:").concat(User.id) == Webhook.owner, User.disabled.is_(True)))
        query = select(Webhook).where(
            Webhook.active.is_(True), Webhook.deleted_at.is_(None), ~disabled_client, ~disabled_user
        )
        return (await self.session.execute(query)).scalars().all()

    async def owners(self, webhooks: Sequence[Webhook]) -> dict[str, User | Client]:
        """The current account of each webhook's owner, by owner ("user:<id>" or "client:<client_id>")."""
        wanted = {w.owner for w in webhooks}
        user_ids = [o.removeprefix("user:") for o in wanted if o.startswith("user:")]
        client_ids = [o.removeprefix("client:") for o in wanted if o.startswith("client:")]
        found: dict[str, User | Client] = {}
        if user_ids:
            for user in (await self.session.execute(select(User).where(User.id.in_(user_ids)))).scalars():
                found[f"user:{user.id}"] = user
        if client_ids:
            query = select(Client).where(Client.client_id.in_(client_ids))
            for client in (await self.session.execute(query)).scalars():
                found[f"client:{client.client_id}"] = client
        return found

    async def lock_cursor(self, source: str) -> int | None:
        """This replica's hold on a source's fan-out: its position, or None while another replica holds it."""
        await self.session.execute(
            self._insert(EventCursor.__table__).values(source=source, position=0).on_conflict_do_nothing()
        )
        query = select(EventCursor.position).where(EventCursor.source == source).with_for_update(skip_locked=True)
        return (await self.session.execute(query)).scalar_one_or_none()

    async def move_cursor(self, source: str, position: int, now: dt.datetime) -> None:
        """Record how far a source's feed has been fanned out."""
        await self.session.execute(
            update(EventCursor).where(EventCursor.source == source).values(position=position, updated_at=now)
        )

    async def add_deliveries(self, rows: Sequence[dict[str, Any]]) -> None:
        """Queue deliveries; an event already queued for a webhook is not queued again."""
        if rows:
            await self.session.execute(self._insert(WebhookDelivery.__table__).on_conflict_do_nothing(), list(rows))

    async def claim_due(
        self, now: dt.datetime, until: dt.datetime, limit: int
    ) -> list[tuple[WebhookDelivery, Webhook]]:
        """Take up to `limit` due deliveries: locked rows other replicas hold are skipped, and the taken ones are
        not due again until `until` (a dispatcher that dies while sending leaves them to be retried then)."""
        due = (
            select(WebhookDelivery.id)
            .join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
            .where(
                WebhookDelivery.status == PENDING,
                WebhookDelivery.next_attempt_at <= now,
                Webhook.active.is_(True),
                Webhook.deleted_at.is_(None),
            )
            .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
            .limit(limit)
            .with_for_update(of=WebhookDelivery, skip_locked=True)
        )
        ids = list((await self.session.execute(due)).scalars())
        if not ids:
            return []
        await self.session.execute(
            update(WebhookDelivery).where(WebhookDelivery.id.in_(ids)).values(next_attempt_at=until)
        )
        query = (
            select(WebhookDelivery, Webhook)
            .join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
            .where(WebhookDelivery.id.in_(ids))
            .execution_options(populate_existing=True)
        )
        return [(row[0], row[1]) for row in (await self.session.execute(query)).all()]

    async def record(self, attempt: DeliveryAttempt, outcome: dict[str, Any]) -> None:
        """Store an attempt and the delivery's new state (status, attempts, next try ...)."""
        self.session.add(attempt)
        await self.session.execute(
            update(WebhookDelivery).where(WebhookDelivery.id == attempt.delivery_id).values(**outcome)
        )
        await self.session.flush()

    async def deliveries(self, webhook_id: str, before: str | None, limit: int) -> Sequence[WebhookDelivery]:
        """A webhook's deliveries, newest first."""
        query = select(WebhookDelivery).where(WebhookDelivery.webhook_id == webhook_id)
        if before is not None:
            query = query.where(WebhookDelivery.id < before)
        return (await self.session.execute(query.order_by(WebhookDelivery.id.desc()).limit(limit))).scalars().all()

    async def attempts(self, delivery_ids: Sequence[str]) -> dict[str, list[DeliveryAttempt]]:
        """The attempts of some deliveries, oldest first."""
        if not delivery_ids:
            return {}
        query = (
            select(DeliveryAttempt)
            .where(DeliveryAttempt.delivery_id.in_(list(delivery_ids)))
            .order_by(DeliveryAttempt.delivery_id, DeliveryAttempt.attempted_at, DeliveryAttempt.id)
        )
        found: dict[str, list[DeliveryAttempt]] = {}
        for attempt in (await self.session.execute(query)).scalars():
            found.setdefault(attempt.delivery_id, []).append(attempt)
        return found
