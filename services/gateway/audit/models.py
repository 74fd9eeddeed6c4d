"""The audit trail: who read or changed whose data, through which client, when, and with what outcome."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from services.common.db import UTCDateTime
from services.gateway.models import Base


class AuditEvent(Base):
    """One audited action; one row per person (NIP) concerned, or one row without a NIP."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_nip_id", "nip", "id"),
        Index("ix_audit_events_actor_id", "actor", "id"),
        Index("ix_audit_events_agency_id_id", "agency_id", "id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # UUIDv7: ordered by time
    occurred_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(200))  # "user:<id>", "client:<client_id>" or "anonymous"
    actor_name: Mapped[str | None] = mapped_column(String(200))  # username or client id
    client_id: Mapped[str | None] = mapped_column(String(100))
    actor_agency_id: Mapped[str | None] = mapped_column(String(64))
    agency_id: Mapped[str | None] = mapped_column(String(64))  # the agency whose data it is, when known
    nip: Mapped[str | None] = mapped_column(String(18))
    action: Mapped[str] = mapped_column(String(100))
    outcome: Mapped[str] = mapped_column(String(20))
    status: Mapped[int] = mapped_column(Integer)
    method: Mapped[str] = mapped_column(String(10))
    route: Mapped[str] = mapped_column(String(200))
    request_id: Mapped[str | None] = mapped_column(String(128))
