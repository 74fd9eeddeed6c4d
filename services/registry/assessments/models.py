"""Competency and potential assessments of an employee; rows are added, never rewritten."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, Float, Index, SmallInteger
from sqlalchemy.orm import Mapped, mapped_column

from services.registry.assessments.rules import POTENTIAL_ASPECTS
from services.registry.base import Base, EmployeeRecord
from services.registry.positions.rules import COMPETENCIES


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
