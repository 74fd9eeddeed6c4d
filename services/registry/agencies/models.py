"""The agency (instansi) table."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from services.common.ids import new_id
from services.registry.base import Base, VersionedAudit


class Agency(VersionedAudit, Base):
    """A government agency: a ministry, province or regency such as Pemkab Lampung Barat."""

    __tablename__ = "agencies"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    code: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    region: Mapped[str | None] = mapped_column(String(100))
