"""The unit (unit organisasi) table: a tree per agency."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.common.ids import new_id
from services.registry.base import Base, VersionedAudit


class Unit(VersionedAudit, Base):
    """An organisational unit; `parent_id` links it into its agency's tree."""

    __tablename__ = "units"
    __table_args__ = (
        UniqueConstraint("agency_id", "code"),
        Index("ix_units_agency_id_id", "agency_id", "id"),
        Index("ix_units_parent_id", "parent_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    agency_id: Mapped[str] = mapped_column(String(36), ForeignKey("agencies.id"))
    parent_id: Mapped[str | None] = mapped_column(String(36), ForeignKey("units.id"))
    name: Mapped[str] = mapped_column(String(200))
    code: Mapped[str | None] = mapped_column(String(50))
