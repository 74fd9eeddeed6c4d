"""Record kinds the SIASN sync writes besides the import package's own: trainings and closed history rows.

They go through the same set-based `upsert_records` (keyed by person and start date), so a re-sync of the
same history changes nothing, and a corrected SIASN row updates the matching one."""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple

from sqlalchemy import Date, Integer, SmallInteger, String

from services.registry.imports.upsert import RecordKind, WriteContext


class TrainingRow(NamedTuple):
    """A training completed (rw-diklat)."""

    row: int
    nip: str
    name: str
    hours: int | None
    completed_on: dt.date


class PastRankRow(NamedTuple):
    """A rank held before the current one (rw-golongan)."""

    row: int
    nip: str
    valid_from: dt.date
    rank: str
    rank_order: int
    valid_to: dt.date


class PastPositionRow(NamedTuple):
    """A position held before the current one (rw-jabatan)."""

    row: int
    nip: str
    valid_from: dt.date
    agency_id: str
    unit_id: str
    position_id: str
    level: str
    valid_to: dt.date


class PastEducationRow(NamedTuple):
    """An education level attained before the current one (rw-pendidikan)."""

    row: int
    nip: str
    valid_from: dt.date
    level: str
    institution: str | None
    major: str | None
    valid_to: dt.date


def _as_is(row: Any, _: WriteContext) -> tuple[Any, ...]:
    """Rows the mapping already validated go to the stage as they are."""
    return tuple(row)


def _training(row: TrainingRow, _: WriteContext) -> tuple[Any, ...]:
    return (row.row, row.nip, row.name, row.completed_on, row.hours, row.completed_on)


def _education(row: PastEducationRow, _: WriteContext) -> tuple[Any, ...]:
    return (row.row, row.nip, row.valid_from, row.level, row.institution, row.major, row.valid_from, row.valid_to)


TRAININGS = RecordKind(
    "training_history",
    keys=(("name", String(200)), ("completed_on", Date)),
    values=(("hours", Integer), ("valid_from", Date)),
    to_record=_training,
)
PAST_RANKS = RecordKind(
    "rank_history",
    keys=(("valid_from", Date),),
    values=(("rank", String(8)), ("rank_order", SmallInteger), ("valid_to", Date)),
    to_record=_as_is,
)
PAST_POSITIONS = RecordKind(
    "position_history",
    keys=(("valid_from", Date),),
    values=(("agency_id", String(36)), ("unit_id", String(36)), ("position_id", String(36)), ("level", String(20)),
            ("valid_to", Date)),
    to_record=_as_is,
)  # fmt: skip
PAST_EDUCATION = RecordKind(
    "education_history",
    keys=(("valid_from", Date),),
    values=(("level", String(4)), ("institution", String(200)), ("major", String(200)), ("graduated_on", Date),
            ("valid_to", Date)),
    to_record=_education,
)  # fmt: skip
