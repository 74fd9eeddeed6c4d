"""Stored scoring policies: one row per (id, version), the engine's JSON document, never changed once written."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.common.db import UTCDateTime, utcnow
from services.scoring.base import Base


class ScoringPolicy(Base):
    """A policy version: built-in (from the engine) or derived by an agency (owner) or nationally (no owner)."""

    __tablename__ = "scoring_policies"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    based_on: Mapped[str | None] = mapped_column(String(80))
    owner_agency_id: Mapped[str | None] = mapped_column(String(36), index=True)
    builtin: Mapped[bool] = mapped_column(Boolean, default=False)
    document: Mapped[str] = mapped_column(Text)  # engine.policy_to_json, exactly as the engine reads it back
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200), default="system")
