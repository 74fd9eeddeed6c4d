"""SIASN tables: each agency's encrypted credentials, sync jobs, and each job's outcome per NIP."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.common.db import AuditColumns, UTCDateTime
from services.common.ids import new_id
from services.registry.base import Base


class SiasnCredentials(AuditColumns, Base):
    """An agency's SIASN credentials (issued by BKN per agency): secrets only as one Fernet token."""

    __tablename__ = "siasn_credentials"

    agency_id: Mapped[str] = mapped_column(String(36), ForeignKey("agencies.id"), primary_key=True)
    # Fernet(JSON of consumer_key, consumer_secret, sso_username, sso_password, sso_token): never logged or answered.
    secrets: Mapped[bytes] = mapped_column(LargeBinary)
    fields_set: Mapped[list[str]] = mapped_column(JSON)
    sso_client_id: Mapped[str | None] = mapped_column(String(100))
    instansi_id: Mapped[str | None] = mapped_column(String(64))  # SIASN's instansiKerjaId of this agency


class SiasnSync(AuditColumns, Base):
    """A SIASN sync job: what was asked, its state and progress, and the counts of its per-NIP outcomes."""

    __tablename__ = "siasn_syncs"
    __table_args__ = (
        Index("ix_siasn_syncs_agency_id_id", "agency_id", "id"),
        Index("ix_siasn_syncs_status", "status"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    agency_id: Mapped[str] = mapped_column(String(36), ForeignKey("agencies.id"))
    scope: Mapped[str] = mapped_column(String(8))  # "nips" or "agency"
    requested: Mapped[list[str] | None] = mapped_column(JSON)  # the NIPs asked for (scope "nips")
    status: Mapped[str] = mapped_column(String(10), default="queued")
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    nips_total: Mapped[int | None] = mapped_column(Integer)
    counts: Mapped[dict[str, Any]] = mapped_column(JSON)
    detail: Mapped[str | None] = mapped_column(Text)
    owner: Mapped[str | None] = mapped_column(String(200))
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class SiasnSyncItem(Base):
    """What one sync did with one NIP: created, updated, unchanged, not_found, invalid or failed, and why."""

    __tablename__ = "siasn_sync_items"

    sync_id: Mapped[str] = mapped_column(String(36), ForeignKey("siasn_syncs.id"), primary_key=True)
    nip: Mapped[str] = mapped_column(String(18), primary_key=True)
    outcome: Mapped[str] = mapped_column(String(10))
    field: Mapped[str | None] = mapped_column(String(100))
    reason: Mapped[str | None] = mapped_column(Text)
    fetched_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
