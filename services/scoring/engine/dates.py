"""Calendar arithmetic on `datetime64[D]` arrays, with the edge conventions every rule shares.

Conventions (DOMAIN.md: "ages are completed years"):
- `completed_years(start, end)`: whole years from `start` to `end`; a year completes on the anniversary.
- `anniversary(day, n)`: the same month and day `n` years later (or earlier); 29 February falls on
  1 March in a year without one, so `completed_years(s, e) >= n` exactly when `e >= anniversary(s, n)`.
NaT stays NaT; callers decide what a missing date means.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from numpy.typing import NDArray

Days = NDArray[np.datetime64]
NAT = np.datetime64("NaT", "D")


def as_day(value: dt.date | np.datetime64 | str) -> np.datetime64:
    """One day as a `datetime64[D]` scalar."""
    day: np.datetime64 = np.datetime64(value, "D") if not isinstance(value, np.datetime64) else value.astype("M8[D]")
    return day


def _parts(days: Days) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    years = days.astype("datetime64[Y]")
    months = days.astype("datetime64[M]")
    month_index = (months - years.astype("datetime64[M]")).astype(np.int64)
    day_offset = (days - months.astype("datetime64[D]")).astype(np.int64)
    return years.astype(np.int64), month_index, day_offset


def anniversary(days: Days, years: int | NDArray[np.int64]) -> Days:
    """Each day moved by `years` whole years; 29 Feb lands on 1 Mar when the target year has none."""
    days = np.asarray(days, dtype="datetime64[D]")
    year, month_index, day_offset = _parts(days)
    target_month = ((year + years).astype("datetime64[Y]").astype("datetime64[M]")) + month_index
    # Adding the day offset to the 1st of the month rolls 29 Feb over to 1 Mar in a common year.
    moved = target_month.astype("datetime64[D]") + day_offset
    return np.where(np.isnat(days), NAT, moved)


def completed_years(start: Days, end: Days | np.datetime64) -> NDArray[np.int64]:
    """Whole years from `start` to `end` (an age); meaningless where either is NaT, so mask those."""
    start = np.asarray(start, dtype="datetime64[D]")
    end = np.asarray(end, dtype="datetime64[D]")
    start_year, start_month, start_day = _parts(start)
    end_year, end_month, end_day = _parts(end)
    before_anniversary = (end_month < start_month) | ((end_month == start_month) & (end_day < start_day))
    years: NDArray[np.int64] = end_year - start_year - before_anniversary.astype(np.int64)
    return years


def shift_day(day: np.datetime64, years: int) -> np.datetime64:
    """One day moved by `years` whole years, with the 29 Feb convention of `anniversary`."""
    moved: np.datetime64 = anniversary(np.array([day], dtype="datetime64[D]"), years)[0]
    return moved


def period_end(period: int) -> np.datetime64:
    """The end of review period Y: 31 December of Y."""
    return np.datetime64(f"{period:04d}-12-31", "D")
