"""Ratings, assessments, awards and sanctions of an employee; rows are added or superseded, never rewritten."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, Float, ForeignKey, Index, SmallInteger, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from services.common.db import AuditColumns, UTCDateTime
from services.common.ids import new_id
from services.registry.assessments.rules import POTENTIAL_ASPECTS
from services.registry.base import Base
from services.registry.positions.rules import COMPETENCIES


class EmployeeRecord(AuditColumns):
    """Columns every employee record shares: id, the person, and where the record came from."""

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    nip: Mapped[str] = mapped_column(String(18), ForeignKey("employees.nip"))
    source: Mapped[str] = mapped_column(String(10), default="manual")


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


class CompetencyAssessment(EmployeeRecord, Base):
    """Managerial and socio-cultural competency levels (1-5) found by an assessment, one column each."""

    __tablename__ = "competency_assessments"
    __table_args__ = (Index("ix_competency_assessments_nip_assessed_on", "nip", "assessed_on"),)

    assessed_on: Mapped[dt.date] = mapped_column(Date)
    lvl_integritas: Mapped[int | None] = mapped_column(SmallInteger)
    lvl_kerja_sama: Mapped[int | None] = mapped_column(SmallInteger)
    lvl_komunikasi: Mapped[int | None] = mapped_column(SmallInteger)
    lvl_orientasi_pada_hasil: Mapped[int | None] = mapped_column(SmallInteger)
    lvl_pelayanan_publik: Mapped[int | None] = mapped_column(SmallInteger)
    lvl_pengembangan_diri_dan_orang_lain: Mapped[int | None] = mapped_column(SmallInteger)
    lvl_mengelola_perubahan: Mapped[int | None] = mapped_column(SmallInteger)
    lvl_pengambilan_keputusan: Mapped[int | None] = mapped_column(SmallInteger)
    lvl_perekat_bangsa: Mapped[int | None] = mapped_column(SmallInteger)

    def levels(self) -> dict[str, int]:
        """The assessed levels as a map of the competencies assessed."""
        values = {c: getattr(self, "lvl_" + c) for c in COMPETENCIES}
        return {c: v for c, v in values.items() if v is not None}


class PotentialAssessment(EmployeeRecord, Base):
    """A potential test: the overall score 0-100, and the 8 aspect scores when they were given."""

    __tablename__ = "potential_assessments"
    __table_args__ = (Index("ix_potential_assessments_nip_assessed_on", "nip", "assessed_on"),)

    assessed_on: Mapped[dt.date] = mapped_column(Date)
    score: Mapped[float] = mapped_column(Float)
    aspect_intellectual: Mapped[float | None] = mapped_column(Float)
    aspect_interpersonal: Mapped[float | None] = mapped_column(Float)
    aspect_self_awareness: Mapped[float | None] = mapped_column(Float)
    aspect_critical_strategic_thinking: Mapped[float | None] = mapped_column(Float)
    aspect_problem_solving: Mapped[float | None] = mapped_column(Float)
    aspect_emotional_intelligence: Mapped[float | None] = mapped_column(Float)
    aspect_growth_mindset: Mapped[float | None] = mapped_column(Float)
    aspect_grit: Mapped[float | None] = mapped_column(Float)

    def aspects(self) -> dict[str, float] | None:
        """The aspect scores, or None when only an overall score was recorded."""
        values = {a: getattr(self, "aspect_" + a) for a in POTENTIAL_ASPECTS}
        return None if any(v is None for v in values.values()) else {a: float(v) for a, v in values.items()}


class Award(EmployeeRecord, Base):
    """An award (penghargaan) at agency, regional or national level."""

    __tablename__ = "awards"
    __table_args__ = (Index("ix_awards_nip_awarded_on", "nip", "awarded_on"),)

    awarded_on: Mapped[dt.date] = mapped_column(Date)
    name: Mapped[str] = mapped_column(String(300))
    level: Mapped[str] = mapped_column(String(10))


class DisciplinaryAction(EmployeeRecord, Base):
    """A disciplinary sanction (PP 94/2021): ringan, sedang or berat, in force from starts_on to ends_on."""

    __tablename__ = "disciplinary_actions"
    __table_args__ = (Index("ix_disciplinary_actions_nip_starts_on", "nip", "starts_on"),)

    level: Mapped[str] = mapped_column(String(8))
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(Text)
