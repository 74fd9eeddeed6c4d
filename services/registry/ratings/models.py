"""Performance ratings (SKP) per person and year; a replaced rating stays, superseded, never rewritten."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Index, SmallInteger, String, text
from sqlalchemy.orm import Mapped, mapped_column

from services.common.db import UTCDateTime
from services.registry.base import Base, EmployeeRecord


class PerformanceRating(EmployeeRecord, Base):
    """A year's SKP rating; a replaced rating stays as a superseded row (superseded_at set)."""

    __tablename__ = "performance_ratings"
    __table_args__ = (
        Index(
            "uq_performance_ratings_nip_year_current",
            "nip",
            "year",
            unique=True,
            postgresql_where=text("superseded_at IS NULL"),
            sqlite_where=text("superseded_at IS NULL"),
        ),
    )

    year: Mapped[int] = mapped_column(SmallInteger)
    work_result: Mapped[str] = mapped_column(String(8))
    work_behavior: Mapped[str] = mapped_column(String(8))
    predikat: Mapped[str] = mapped_column(String(20))
    superseded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    superseded_by: Mapped[str | None] = mapped_column(String(200))
