"""The registry's declarative base: one MetaData (with the common naming convention) for every table."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

from services.common.db import AuditColumns, UTCDateTime, make_metadata
from services.common.idempotency import idempotency_table
from services.common.ids import new_id
from services.common.outbox import outbox_table


class Base(DeclarativeBase):
    """Base of every registry model; its metadata is what the migrations describe."""

    metadata = make_metadata()


idempotency_keys = idempotency_table(Base.metadata)
outbox_events = outbox_table(Base.metadata)  # events written in the transaction of their change


class VersionedAudit(AuditColumns):
    """Audit columns whose `version` the ORM bumps on every UPDATE (and checks: a lost update fails)."""

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.version}


class EmployeeRecord(AuditColumns):
    """Columns every employee record shares: id, the person, and where the record came from (and, for a SIASN
    sync, when its values were fetched; null for manual writes and file imports)."""

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    nip: Mapped[str] = mapped_column(String(18), ForeignKey("employees.nip"))
    source: Mapped[str] = mapped_column(String(10), default="manual")
    source_fetched_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
