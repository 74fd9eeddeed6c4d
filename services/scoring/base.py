"""The scoring service's declarative base: one MetaData (with the common naming convention) for every table."""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase

from services.common.db import make_metadata
from services.common.idempotency import idempotency_table
from services.common.outbox import outbox_table


class Base(DeclarativeBase):
    """Base of every scoring model; its metadata is what the migrations describe."""

    metadata = make_metadata()


idempotency_keys = idempotency_table(Base.metadata)
outbox_events = outbox_table(Base.metadata)  # events written in the transaction of their change
