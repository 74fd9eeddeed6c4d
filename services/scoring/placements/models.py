"""Placements (bulk-written per review, with the input snapshot that explains them) and their calibrations."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    Date,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from services.common.db import UTCDateTime, utcnow
from services.common.ids import new_id
from services.scoring.base import Base


class Placement(Base):
    """One person's 9-box placement in one review: the engine's outputs, the effective box, and its inputs."""

    __tablename__ = "placements"
    __table_args__ = (
        Index("ix_placements_nip", "nip"),
        # The talent pool (boxes 7-9 in the built-in policies): its national order (read backwards), and its people
        # by level.
        Index(
            "ix_placements_pool_order",
            "effective_box",
            "potential_score",
            "nip",
            "review_id",
            postgresql_where=text("effective_box >= 7"),
            sqlite_where=text("effective_box >= 7"),
        ),
        Index(
            "ix_placements_pool_level",
            "position_type",
            "functional_level",
            postgresql_where=text("effective_box >= 7"),
            sqlite_where=text("effective_box >= 7"),
        ),
    )

    review_id: Mapped[str] = mapped_column(String(36), ForeignKey("talent_reviews.id"), primary_key=True)
    nip: Mapped[str] = mapped_column(String(18), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    unit_id: Mapped[str | None] = mapped_column(String(36))
    position_id: Mapped[str | None] = mapped_column(String(36))
    # The engine's result (never changed) and the box a calibration set; `effective_box` is what counts.
    placed: Mapped[bool] = mapped_column(Boolean)
    box: Mapped[int | None] = mapped_column(SmallInteger)
    calibrated_box: Mapped[int | None] = mapped_column(SmallInteger)
    effective_box: Mapped[int | None] = mapped_column(SmallInteger)
    calibration_id: Mapped[str | None] = mapped_column(String(36))
    performance_level: Mapped[str | None] = mapped_column(String(8))
    performance_score: Mapped[float | None] = mapped_column(Float)
    potential_level: Mapped[str | None] = mapped_column(String(8))
    potential_score: Mapped[float | None] = mapped_column(Float)
    jpm: Mapped[float | None] = mapped_column(Float)
    jpm_default_standard: Mapped[bool] = mapped_column(Boolean)
    missing: Mapped[str] = mapped_column(String(200))  # comma-separated missing-input codes, "" when placed
    version: Mapped[int] = mapped_column(Integer, default=1)
    # The inputs as the registry exported them (named as its columns), so the explanation is recomputed exactly.
    employment_type: Mapped[str | None] = mapped_column(String(8))
    position_type: Mapped[str | None] = mapped_column(String(16))
    functional_level: Mapped[str | None] = mapped_column(String(16))
    education_level: Mapped[str | None] = mapped_column(String(4))
    predikat_y: Mapped[str | None] = mapped_column(String(16))
    predikat_y1: Mapped[str | None] = mapped_column(String(16))
    birth_date: Mapped[dt.date | None] = mapped_column(Date)
    retirement_date: Mapped[dt.date | None] = mapped_column(Date)
    position_since: Mapped[dt.date | None] = mapped_column(Date)
    level_since: Mapped[dt.date | None] = mapped_column(Date)
    rank_order: Mapped[int | None] = mapped_column(SmallInteger)
    rank_since: Mapped[dt.date | None] = mapped_column(Date)
    competency_assessed_on: Mapped[dt.date | None] = mapped_column(Date)
    competency_levels: Mapped[str] = mapped_column(String(9))  # one digit per competency, 0 = none
    competency_standard: Mapped[str] = mapped_column(String(9))  # the position's own standard, 0 = not named
    potential_assessed_on: Mapped[dt.date | None] = mapped_column(Date)
    potential_assessment_score: Mapped[float | None] = mapped_column(Float)
    sanctions_in_force: Mapped[int] = mapped_column(Integer)
    ringan_recent: Mapped[int] = mapped_column(Integer)
    sedang_recent: Mapped[int] = mapped_column(Integer)
    berat_recent: Mapped[int] = mapped_column(Integer)
    last_heavy_sanction_ended_on: Mapped[dt.date | None] = mapped_column(Date)
    awards_recent: Mapped[int] = mapped_column(Integer)


class Calibration(Base):
    """A person's change of a placement's box, with the reason; earlier ones and the engine's box stay."""

    __tablename__ = "calibrations"
    __table_args__ = (
        ForeignKeyConstraint(["review_id", "nip"], ["placements.review_id", "placements.nip"]),
        Index("ix_calibrations_review_id_nip", "review_id", "nip"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    review_id: Mapped[str] = mapped_column(String(36))
    nip: Mapped[str] = mapped_column(String(18))
    box: Mapped[int] = mapped_column(SmallInteger)
    previous_box: Mapped[int | None] = mapped_column(SmallInteger)
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200))
