"""Synthetic scoring inputs, generated column-wise (millions of rows in about a second) for tests and benchmarks."""

from __future__ import annotations

import numpy as np

from services.scoring.engine.codes import COMPETENCIES, EDUCATION, LEVELS, PREDIKAT
from services.scoring.engine.inputs import ScoringInputs


def _days(rng: np.random.Generator, start: str, end: str, size: int, missing: float) -> np.ndarray:
    low, high = np.datetime64(start, "D").astype(np.int64), np.datetime64(end, "D").astype(np.int64)
    days = rng.integers(low, high + 1, size=size).astype("datetime64[D]")
    days[rng.random(size) < missing] = np.datetime64("NaT")
    return days


def _codes(rng: np.random.Generator, count: int, size: int, missing: float) -> np.ndarray:
    codes = rng.integers(0, count, size=size, dtype=np.int8)
    codes[rng.random(size) < missing] = -1
    return codes


def synthetic_inputs(size: int, period: int = 2025, seed: int = 0, missing: float = 0.03) -> ScoringInputs:
    """`size` people with plausible values and about `missing` of each optional input absent."""
    rng = np.random.default_rng(seed)
    end = f"{period}-12-31"
    levels = rng.integers(1, 6, size=(size, len(COMPETENCIES)), dtype=np.uint8)
    levels[rng.random(size) < missing] = 0
    standard = rng.integers(1, 6, size=(size, len(COMPETENCIES)), dtype=np.uint8)
    standard[rng.random(size) < 0.3] = 0  # positions without a standard of their own
    standard[:, -1][rng.random(size) < 0.2] = 0  # standards that name only some competencies
    birth = _days(rng, "1966-01-01", "2000-12-31", size, 0.0)
    score = np.round(rng.normal(80, 8, size=size).clip(0, 100), 2)
    score[rng.random(size) < missing] = np.nan
    return ScoringInputs(
        nip=np.arange(size, dtype=np.int64) + 196_601_012_000_000_000,
        employment_type=rng.choice(np.array([0, 1, 2], dtype=np.int8), size=size, p=[0.62, 0.35, 0.03]),
        level=_codes(rng, len(LEVELS), size, missing),
        education=_codes(rng, len(EDUCATION), size, missing),
        predikat_y=_codes(rng, len(PREDIKAT), size, missing),
        predikat_y1=_codes(rng, len(PREDIKAT), size, missing),
        birth_date=birth,
        retirement_date=birth + np.timedelta64(58 * 365 + 14, "D"),
        position_since=_days(rng, "2005-01-01", end, size, 0.0),
        level_since=_days(rng, "2005-01-01", end, size, missing),
        rank_order=rng.choice(np.array([31, 32, 33, 34, 41, 42, 43, 44], dtype=np.int16), size=size),
        rank_since=_days(rng, "2010-01-01", end, size, 0.0),
        competency_assessed_on=_days(rng, f"{period - 4}-01-01", end, size, missing),
        competency_levels=levels,
        competency_standard=standard,
        potential_assessed_on=_days(rng, f"{period - 4}-01-01", end, size, missing),
        potential_score=score,
        sanctions_in_force=(rng.random(size) < 0.01).astype(np.int32),
        ringan_recent=(rng.random(size) < 0.05).astype(np.int32),
        sedang_recent=(rng.random(size) < 0.02).astype(np.int32),
        berat_recent=(rng.random(size) < 0.01).astype(np.int32),
        last_heavy_sanction_ended_on=_days(rng, f"{period - 6}-01-01", end, size, 0.97),
        awards_recent=rng.poisson(0.4, size=size).astype(np.int32),
    )
