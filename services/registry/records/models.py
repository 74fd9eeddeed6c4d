"""Awards and disciplinary sanctions of an employee."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.registry.base import Base, EmployeeRecord


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
