"""Computed successor shortlists, stored with the review(s) and policy they used, for later explanation."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Date, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.common.db import UTCDateTime, utcnow
from services.common.ids import new_id
from services.scoring.base import Base


class SuccessionShortlist(Base):
    """One computed shortlist; an identical result for the same position and day is stored once."""

    __tablename__ = "succession_shortlists"
    __table_args__ = (
        UniqueConstraint("position_id", "as_of", "result_hash"),
        Index("ix_succession_shortlists_position_id_created_at", "position_id", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    position_id: Mapped[str] = mapped_column(String(36))
    agency_id: Mapped[str] = mapped_column(String(36))
    as_of: Mapped[dt.date] = mapped_column(Date)
    review_id: Mapped[str | None] = mapped_column(String(36))
    review_ids: Mapped[list[str]] = mapped_column(JSON)
    policy_id: Mapped[str] = mapped_column(String(64))
    policy_version: Mapped[int] = mapped_column(Integer)
    result: Mapped[dict[str, Any]] = mapped_column(JSON)  # criteria, candidates with terms, every exclusion
    result_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200))
