"""Dates as the API accepts them: ISO 8601 days (`2025-12-31`) from 1900 to 2100.

Two classes of bad input stop here. Pydantic's lax mode reads a number as Unix time, so `as_of=2025` would
silently mean 1 January 1970. And a day far from any career (`0003-01-01`, `9999-12-31`) reaches date
arithmetic (look-backs, retirement ages) that Python cannot represent: a 500 instead of a 422.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator

EARLIEST, LATEST = dt.date(1900, 1, 1), dt.date(2100, 12, 31)
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?)?(Z|[+-]\d{2}:?\d{2})?")


def _iso_only(value: Any) -> Any:
    if isinstance(value, str) and not _ISO_DAY.fullmatch(value):
        raise ValueError("must be an ISO 8601 date, YYYY-MM-DD")
    if not isinstance(value, str | dt.date) or isinstance(value, dt.datetime):
        raise ValueError("must be an ISO 8601 date, YYYY-MM-DD")
    return value


def in_range(day: dt.date) -> dt.date:
    """`day` itself, or ValueError when it lies outside 1900-01-01 .. 2100-12-31."""
    if not EARLIEST <= day <= LATEST:
        raise ValueError(f"must be between {EARLIEST.isoformat()} and {LATEST.isoformat()}")
    return day


def _not_before_earliest(day: dt.date) -> dt.date:
    if day < EARLIEST:
        raise ValueError(f"must be on or after {EARLIEST.isoformat()}")
    return day


Day = Annotated[dt.date, BeforeValidator(_iso_only), AfterValidator(in_range)]
# The end of something that may have no foreseeable end (a sanction "until further notice" is often written
# 9999-12-31): compared with other days, never shifted by years, so any year up to 9999 is safe.
OpenEnd = Annotated[dt.date, BeforeValidator(_iso_only), AfterValidator(_not_before_earliest)]


def _iso_instant_only(value: Any) -> Any:
    if isinstance(value, str) and not _ISO_INSTANT.fullmatch(value):
        raise ValueError("must be an ISO 8601 timestamp, e.g. 2025-12-31T08:00:00+07:00")
    if not isinstance(value, str | dt.datetime):
        raise ValueError("must be an ISO 8601 timestamp, e.g. 2025-12-31T08:00:00+07:00")
    return value


def _utc_in_range(moment: dt.datetime) -> dt.datetime:
    # Naive means UTC. The day is checked before converting: 0001-01-01T00:00+14:00 has no UTC in Python.
    in_range(moment.date())
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


# A moment in time (a `since` filter), answered in UTC; numbers (Unix time) and years outside 1900-2100 refused.
Instant = Annotated[dt.datetime, BeforeValidator(_iso_instant_only), AfterValidator(_utc_in_range)]
