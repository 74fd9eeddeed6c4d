"""The `imports` table: one row per bulk import job, its state, progress and (capped) row errors."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.common.db import AuditColumns, UTCDateTime
from services.common.ids import new_id
from services.registry.base import Base


class ImportJob(AuditColumns, Base):
    """A bulk import of one file into one agency; the uploaded file itself is deleted once the job ends."""

    __tablename__ = "imports"
    __table_args__ = (
        Index("ix_imports_agency_id_id", "agency_id", "id"),
        Index("ix_imports_status", "status"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    agency_id: Mapped[str] = mapped_column(String(36), ForeignKey("agencies.id"))
    kind: Mapped[str] = mapped_column(String(32))
    mode: Mapped[str] = mapped_column(String(8))
    file_format: Mapped[str] = mapped_column(String(8))
    delimiter: Mapped[str | None] = mapped_column(String(1))
    file_name: Mapped[str] = mapped_column(String(255))
    file_sha256: Mapped[str] = mapped_column(String(64))
    file_bytes: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(10), default="queued")
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    rows_total: Mapped[int | None] = mapped_column(Integer)
    rows_written: Mapped[int] = mapped_column(Integer, default=0)
    rows_created: Mapped[int] = mapped_column(Integer, default=0)
    rows_updated: Mapped[int] = mapped_column(Integer, default=0)
    rows_unchanged: Mapped[int] = mapped_column(Integer, default=0)
    error_count: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    detail: Mapped[str | None] = mapped_column(Text)
    caller_nip: Mapped[str | None] = mapped_column(String(18))
    owner: Mapped[str | None] = mapped_column(String(200))
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
