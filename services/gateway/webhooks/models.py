"""Webhooks, their deliveries and attempts, and the dispatcher's cursor in each service's feed."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from services.common.db import AuditColumns, UTCDateTime, utcnow
from services.common.ids import new_id
from services.gateway.models import Base

PENDING, DELIVERED, FAILED, CANCELLED = "pending", "delivered", "failed", "cancelled"


class Webhook(AuditColumns, Base):
    """An endpoint a principal registered for some event types; it receives what its owner may see."""

    __tablename__ = "webhooks"
    __table_args__ = (Index("ix_webhooks_owner_id", "owner", "id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    owner: Mapped[str] = mapped_column(String(200))  # "user:<id>" or "client:<client_id>"
    owner_name: Mapped[str] = mapped_column(String(200))
    agency_id: Mapped[str | None] = mapped_column(String(64))  # the owner's reach: None = every agency
    url: Mapped[str] = mapped_column(Text)
    events: Mapped[list[str]] = mapped_column(JSON)
    description: Mapped[str | None] = mapped_column(String(200))
    secret_encrypted: Mapped[bytes] = mapped_column(LargeBinary)  # AES-GCM, the webhook id bound as AAD
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    deleted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class WebhookDelivery(Base):
    """One event for one webhook: sent until a 2xx answer, or failed once the retry window has passed."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("webhook_id", "event_id"),  # an event is fanned out to a webhook once, even after a crash
        Index("ix_webhook_deliveries_status_next_attempt_at", "status", "next_attempt_at"),
        Index("ix_webhook_deliveries_webhook_id_id", "webhook_id", "id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    webhook_id: Mapped[str] = mapped_column(String(36), ForeignKey("webhooks.id"))
    event_id: Mapped[str] = mapped_column(String(36))
    event_type: Mapped[str] = mapped_column(String(64))
    body: Mapped[bytes] = mapped_column(LargeBinary)  # exactly the bytes signed and sent
    status: Mapped[str] = mapped_column(String(12), default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    delivered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(String(500))


class DeliveryAttempt(Base):
    """One try of a delivery: when, the receiver's status code (or the error), how long it took."""

    __tablename__ = "webhook_delivery_attempts"
    __table_args__ = (Index("ix_webhook_delivery_attempts_delivery_id_id", "delivery_id", "id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    delivery_id: Mapped[str] = mapped_column(String(36), ForeignKey("webhook_deliveries.id"))
    attempted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(String(500))
    duration_ms: Mapped[float] = mapped_column(Float)


class EventCursor(Base):
    """How far the dispatcher has fanned out a service's feed (committed with the deliveries it made)."""

    __tablename__ = "event_cursors"

    source: Mapped[str] = mapped_column(String(20), primary_key=True)
    position: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
