"""Employees keyed by NIP, and their effective-dated histories (never overwritten: rows are closed)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, ForeignKeyConstraint, Index, Integer, SmallInteger, String, text
from sqlalchemy.orm import Mapped, mapped_column

from services.common.db import AuditColumns, UTCDateTime
from services.common.ids import new_id
from services.registry.base import Base, VersionedAudit


class Employee(VersionedAudit, Base):
    """A civil servant (ASN). No NIK, address, family or religion is kept (UU 27/2022)."""

    __tablename__ = "employees"
    __table_args__ = (
        Index("ix_employees_agency_id_nip", "agency_id", "nip"),
        Index("ix_employees_unit_id", "unit_id"),
        Index("ix_employees_position_id", "position_id"),
    )

    nip: Mapped[str] = mapped_column(String(18), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    employment_type: Mapped[str] = mapped_column(String(8))
    agency_id: Mapped[str] = mapped_column(String(36), ForeignKey("agencies.id"))
    unit_id: Mapped[str | None] = mapped_column(String(36), ForeignKey("units.id"))
    position_id: Mapped[str | None] = mapped_column(String(36), ForeignKey("positions.id"))
    position_since: Mapped[dt.date | None] = mapped_column(Date)
    level_since: Mapped[dt.date | None] = mapped_column(Date)
    rank: Mapped[str | None] = mapped_column(String(8))
    rank_order: Mapped[int | None] = mapped_column(SmallInteger)
    rank_since: Mapped[dt.date | None] = mapped_column(Date)
    education_level: Mapped[str | None] = mapped_column(String(4))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(32))
    birth_date: Mapped[dt.date] = mapped_column(Date)
    gender: Mapped[str] = mapped_column(String(8))
    retirement_date: Mapped[dt.date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(10), default="manual")
    source_fetched_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    deleted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    deleted_by: Mapped[str | None] = mapped_column(String(200))


class HistoryColumns(AuditColumns):
    """Effective dating and provenance of a history row: valid_to null = current; created_* = recorded;
    source_fetched_at = when a SIASN sync last fetched the values it wrote (null for manual and imported rows)."""

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(10), default="manual")
    source_fetched_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


def current_row_unique(table: str) -> Index:
    """At most one current (open) row per person: concurrent writers cannot both open one."""
    where = text("valid_to IS NULL")
    return Index(f"uq_{table}_nip_current", "nip", unique=True, postgresql_where=where, sqlite_where=where)


class RankHistory(HistoryColumns, Base):
    """A rank held from valid_from until valid_to (exclusive)."""

    __tablename__ = "rank_history"
    __table_args__ = (
        Index("ix_rank_history_nip_valid_from", "nip", "valid_from"),
        current_row_unique("rank_history"),
    )

    nip: Mapped[str] = mapped_column(String(18), ForeignKey("employees.nip"))
    rank: Mapped[str] = mapped_column(String(8))
    rank_order: Mapped[int] = mapped_column(SmallInteger)


class PositionHistory(HistoryColumns, Base):
    """A position held (in an agency and unit, at a level) from valid_from until valid_to (exclusive).

    The row's agency is its position's (every writer takes it from the position; a position never changes agency):
    one foreign key to positions (id, agency_id) checks both, where two checked them apart; the agency exists
    because the position's own key to agencies says so."""

    __tablename__ = "position_history"
    __table_args__ = (
        Index("ix_position_history_nip_valid_from", "nip", "valid_from"),
        Index("ix_position_history_level", "level"),  # the people of a level across agencies (succession)
        current_row_unique("position_history"),
        ForeignKeyConstraint(
            ["position_id", "agency_id"],
            ["positions.id", "positions.agency_id"],
            name="fk_position_history_position_id_agency_id_positions",
        ),
    )

    nip: Mapped[str] = mapped_column(String(18), ForeignKey("employees.nip"))
    agency_id: Mapped[str] = mapped_column(String(36))
    unit_id: Mapped[str | None] = mapped_column(String(36), ForeignKey("units.id"))
    position_id: Mapped[str] = mapped_column(String(36))
    level: Mapped[str] = mapped_column(String(20))


class EducationHistory(HistoryColumns, Base):
    """The highest education level attained, from valid_from until a higher one replaced it."""

    __tablename__ = "education_history"
    __table_args__ = (
        Index("ix_education_history_nip_valid_from", "nip", "valid_from"),
        current_row_unique("education_history"),
    )

    nip: Mapped[str] = mapped_column(String(18), ForeignKey("employees.nip"))
    level: Mapped[str] = mapped_column(String(4))
    institution: Mapped[str | None] = mapped_column(String(200))
    major: Mapped[str | None] = mapped_column(String(200))
    graduated_on: Mapped[dt.date | None] = mapped_column(Date)


class TrainingHistory(HistoryColumns, Base):
    """A training completed (diklat): a qualification held from its completion (valid_from = completed_on)."""

    __tablename__ = "training_history"
    __table_args__ = (Index("ix_training_history_nip_valid_from", "nip", "valid_from"),)

    nip: Mapped[str] = mapped_column(String(18), ForeignKey("employees.nip"))
    name: Mapped[str] = mapped_column(String(200))
    hours: Mapped[int | None] = mapped_column(Integer)
    completed_on: Mapped[dt.date] = mapped_column(Date)
