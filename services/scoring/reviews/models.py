"""Talent reviews: one run of one agency + period + policy version, queued and run as a job."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Float, ForeignKeyConstraint, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.common.db import AuditColumns, UTCDateTime, utcnow
from services.common.ids import new_id
from services.scoring.base import Base

QUEUED, RUNNING, COMPLETED, FAILED = "queued", "running", "completed", "failed"
STATUSES = (QUEUED, RUNNING, COMPLETED, FAILED)


class TalentReview(AuditColumns, Base):
    """A review job and its outcome; `created_by` is who started it, `version` the ETag source."""

    __tablename__ = "talent_reviews"
    __table_args__ = (
        ForeignKeyConstraint(["policy_id", "policy_version"], ["scoring_policies.id", "scoring_policies.version"]),
        Index("ix_talent_reviews_queue", "status", "available_at"),
        Index("ix_talent_reviews_agency_id_id", "agency_id", "id"),
        Index("ix_talent_reviews_agency_id_status_completed_at", "agency_id", "status", "completed_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    agency_id: Mapped[str] = mapped_column(String(36))
    period: Mapped[int] = mapped_column(Integer)
    policy_id: Mapped[str] = mapped_column(String(64))
    policy_version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12), default=QUEUED)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    rows_total: Mapped[int | None] = mapped_column(Integer)
    # The queue: who holds the job and until when; an expired lease may be taken over by another worker.
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    available_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    lease_owner: Mapped[str | None] = mapped_column(String(200))
    lease_expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    processed_by: Mapped[str | None] = mapped_column(String(200))
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    completed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    export_seconds: Mapped[float | None] = mapped_column(Float)
    compute_seconds: Mapped[float | None] = mapped_column(Float)
    write_seconds: Mapped[float | None] = mapped_column(Float)
    error_code: Mapped[str | None] = mapped_column(String(64))
    error_detail: Mapped[str | None] = mapped_column(Text)
    # The talent committee's decision (nomor SK): a finalized review is read-only.
    finalized_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    finalized_by: Mapped[str | None] = mapped_column(String(200))
    decree_number: Mapped[str | None] = mapped_column(String(100))
    approved_by: Mapped[str | None] = mapped_column(String(200))
