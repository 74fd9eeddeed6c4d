"""The position (jabatan) table, with its competency standard as one column per competency."""

from __future__ import annotations

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from services.common.ids import new_id
from services.registry.base import Base, VersionedAudit
from services.registry.positions.rules import COMPETENCIES


class Position(VersionedAudit, Base):
    """A position; the competency standard is kept as `std_<code>` columns so exports stay set-based."""

    __tablename__ = "positions"
    __table_args__ = (
        Index("ix_positions_agency_id_id", "agency_id", "id"),
        # What position_history's key to (id, agency_id) refers to (a key must refer to a unique set of columns).
        Index("uq_positions_id_agency_id", "id", "agency_id", unique=True),
        Index("ix_positions_unit_id", "unit_id"),
        CheckConstraint(
            "(position_type = 'fungsional') = (functional_level IS NOT NULL)", name="functional_level_iff_fungsional"
        ),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    agency_id: Mapped[str] = mapped_column(String(36), ForeignKey("agencies.id"))
    unit_id: Mapped[str] = mapped_column(String(36), ForeignKey("units.id"))
    name: Mapped[str] = mapped_column(String(200))
    position_type: Mapped[str] = mapped_column(String(20))
    functional_level: Mapped[str | None] = mapped_column(String(20))
    # Denormalised from type and functional level (positions.rules.position_level) for set-based queries.
    level: Mapped[str] = mapped_column(String(20))
    is_key: Mapped[bool] = mapped_column(Boolean, default=False)
    national: Mapped[bool] = mapped_column(Boolean, default=False)
    min_rank: Mapped[str | None] = mapped_column(String(8))
    std_integritas: Mapped[int | None] = mapped_column(SmallInteger)
    std_kerja_sama: Mapped[int | None] = mapped_column(SmallInteger)
    std_komunikasi: Mapped[int | None] = mapped_column(SmallInteger)
    std_orientasi_pada_hasil: Mapped[int | None] = mapped_column(SmallInteger)
    std_pelayanan_publik: Mapped[int | None] = mapped_column(SmallInteger)
    std_pengembangan_diri_dan_orang_lain: Mapped[int | None] = mapped_column(SmallInteger)
    std_mengelola_perubahan: Mapped[int | None] = mapped_column(SmallInteger)
    std_pengambilan_keputusan: Mapped[int | None] = mapped_column(SmallInteger)
    std_perekat_bangsa: Mapped[int | None] = mapped_column(SmallInteger)

    @property
    def competency_standard(self) -> dict[str, int] | None:
        """The standard as a map of the competencies it names, or None when the position has none."""
        standard = {c: getattr(self, "std_" + c) for c in COMPETENCIES}
        named = {c: level for c, level in standard.items() if level is not None}
        return named or None

    def set_competency_standard(self, standard: dict[str, int] | None) -> None:
        """Replace the whole standard (None clears it)."""
        for code in COMPETENCIES:
            setattr(self, "std_" + code, (standard or {}).get(code))
