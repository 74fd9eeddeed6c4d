"""Date arithmetic: completed years, anniversaries and the 29 February convention, vectorised vs plain Python."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.scoring.engine.dates import anniversary, completed_years, period_end, shift_day
from services.scoring.engine.reference import add_years, age_in_years

dates = st.one_of(
    st.sampled_from([dt.date(2000, 2, 29), dt.date(2024, 2, 29), dt.date(2023, 2, 28), dt.date(2023, 3, 1)]),
    st.dates(dt.date(1950, 1, 1), dt.date(2060, 12, 31)),
)


def days(*values: str | None) -> np.ndarray:
    return np.array(["NaT" if v is None else v for v in values], dtype="datetime64[D]")


@pytest.mark.parametrize(
    ("start", "years", "expected"),
    [
        ("2020-01-31", 1, "2021-01-31"),
        ("2000-02-29", 1, "2001-03-01"),  # no 29 Feb in 2001: the anniversary is 1 March
        ("2000-02-29", 4, "2004-02-29"),
        ("2024-02-29", -3, "2021-03-01"),
        ("2025-12-31", -3, "2022-12-31"),
    ],
)
def test_anniversary(start, years, expected) -> None:
    assert anniversary(days(start), years)[0] == np.datetime64(expected)
    assert shift_day(np.datetime64(start), years) == np.datetime64(expected)


def test_nat_stays_nat() -> None:
    assert np.isnat(anniversary(days(None, "2020-01-01"), 2)).tolist() == [True, False]


@pytest.mark.parametrize(
    ("born", "on", "age"),
    [
        ("1969-03-16", "2026-03-15", 56),
        ("1969-03-15", "2026-03-15", 57),
        ("2000-02-29", "2001-02-28", 0),
        ("2000-02-29", "2001-03-01", 1),
        ("2000-02-29", "2004-02-29", 4),
    ],
)
def test_completed_years(born, on, age) -> None:
    assert completed_years(days(born), np.datetime64(on)).tolist() == [age]


def test_period_end() -> None:
    assert period_end(2025) == np.datetime64("2025-12-31")


@given(start=dates, end=dates, years=st.integers(-5, 70))
def test_vectorised_dates_equal_plain_python(start, end, years) -> None:
    assert anniversary(days(start.isoformat()), years)[0] == np.datetime64(add_years(start, years))
    assert completed_years(days(start.isoformat()), np.datetime64(end))[0] == age_in_years(start, end)
    # The convention that ties the two together: n years complete exactly on the n-th anniversary.
    if years >= 0:
        assert (age_in_years(start, end) >= years) == (end >= add_years(start, years))
