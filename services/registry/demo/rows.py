"""Columnar rows for bulk generation: named NumPy columns, deterministic UUIDv7 ids, date helpers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

Column = npt.NDArray[Any]
DAY = np.timedelta64(1, "D")


@dataclass
class Rows:
    """A table's rows as equally long NumPy columns (dates datetime64[D], NaT/NaN/None = null)."""

    columns: dict[str, Column] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(next(iter(self.columns.values()))) if self.columns else 0

    def take(self, index: Column) -> Rows:
        """The rows at `index` (a boolean mask or positions)."""
        return Rows({name: values[index] for name, values in self.columns.items()})

    @staticmethod
    def from_dicts(rows: Sequence[dict[str, Any]]) -> Rows:
        """Rows from a few dicts with the same keys (dates as datetime.date, nulls as None)."""
        columns: dict[str, Column] = {}
        for name in rows[0]:
            values = [row[name] for row in rows]
            if any(isinstance(v, dt.date) and not isinstance(v, dt.datetime) for v in values):
                columns[name] = np.array([np.datetime64(v, "D") if v else np.datetime64("NaT") for v in values])
            else:
                columns[name] = np.array(values, dtype=object)
        return Rows(columns)

    def without(self, *names: str) -> Rows:
        """The rows without the columns `names`."""
        return Rows({name: values for name, values in self.columns.items() if name not in names})

    @staticmethod
    def concat(parts: Sequence[Rows]) -> Rows:
        """The rows of `parts`, in order (all with the same columns)."""
        parts = [p for p in parts if len(p)]
        if not parts:
            return Rows()
        return Rows({name: np.concatenate([p.columns[name] for p in parts]) for name in parts[0].columns})

    def records(self, names: Sequence[str]) -> Iterator[tuple[Any, ...]]:
        """Rows as tuples of plain Python values (dates, ints, floats, str, None) in the order of `names`."""
        converted = [python_values(self.columns[name]) for name in names]
        return zip(*converted, strict=True)


def python_values(values: Column) -> list[Any]:
    """A column as plain Python values, nulls as None."""
    if values.dtype.kind == "M":
        return list(values.astype("datetime64[D]").astype(object).tolist())  # NaT becomes None
    if values.dtype.kind in "fO":
        return [None if v is None or v != v else v for v in values.tolist()]  # NaN is unequal to itself
    return list(values.tolist())


def demo_ids(rng: np.random.Generator, count: int, base: dt.datetime) -> Column:
    """`count` UUIDv7 strings, time-ordered from `base` (1 ms apart), random bits from `rng`: deterministic."""
    millis = int(base.timestamp() * 1000) + np.arange(count, dtype=np.uint64)
    rand_a = rng.integers(0, 1 << 12, count, dtype=np.uint64)
    rand_b = rng.integers(0, 1 << 62, count, dtype=np.uint64)
    high = (millis << np.uint64(16)) | np.uint64(0x7000) | rand_a
    low = np.uint64(1 << 63) | rand_b
    texts = [f"{h:016x}{lo:016x}" for h, lo in zip(high.tolist(), low.tolist(), strict=True)]
    return np.array([f"{t[:8]}-{t[8:12]}-{t[12:16]}-{t[16:20]}-{t[20:]}" for t in texts], dtype=object)


def days(values: Column | int) -> Column:
    """Integers as a timedelta64[D] column."""
    return np.asarray(values).astype("timedelta64[D]")


def ymd(dates: Column) -> tuple[Column, Column, Column]:
    """Year, month (1-12) and day (1-31) columns of a datetime64[D] column."""
    years = dates.astype("datetime64[Y]").astype(int) + 1970
    months = dates.astype("datetime64[M]").astype(int) % 12 + 1
    day = (dates - dates.astype("datetime64[M]").astype("datetime64[D]")).astype(int) + 1
    return years, months, day


def make_dates(years: Column, months: Column | int, day: Column | int = 1) -> Column:
    """A datetime64[D] column from year, month and day columns (the day is not clamped: pass 1 to 28)."""
    month_index = (np.asarray(years) - 1970) * 12 + (np.asarray(months) - 1)
    first_days: Column = month_index.astype("datetime64[M]").astype("datetime64[D]")
    return first_days + days(np.asarray(day) - 1)


def group_rank(keys: Column) -> Column:
    """For each element, how many earlier elements (in array order) share its key: 0, 1, 2 ..."""
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    starts = np.r_[True, sorted_keys[1:] != sorted_keys[:-1]]
    group_start = np.maximum.accumulate(np.where(starts, np.arange(len(keys)), 0))
    ranks = np.empty(len(keys), dtype=np.int64)
    ranks[order] = np.arange(len(keys)) - group_start
    return ranks
