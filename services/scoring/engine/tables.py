"""A policy's tables as small NumPy lookup arrays, indexed by the integer codes of `codes.py`."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .codes import EDUCATION, LEVELS, PERFORMANCE_LEVELS, POTENTIAL_LEVELS, PREDIKAT
from .policy import Policy, PredikatPerformance


@dataclass(frozen=True, eq=False)
class PolicyTables:
    """Lookup arrays: `table[code]` gives the policy's value for that code."""

    predikat_level: NDArray[np.int8]  # predikat code -> performance level code (predikat policies only)
    predikat_score: NDArray[np.float64]  # predikat code -> ordinal score (150 / 100 / ...)
    qualification: NDArray[np.float64]  # education code -> qualification score
    default_standard: NDArray[np.int64]  # level code -> default standard level per competency
    box: NDArray[np.int8]  # [performance level code, potential level code] -> box 1..9
    in_pool: NDArray[np.bool_]  # box 0..9 -> in the talent pool (box 0 = none, never)
    box_points: NDArray[np.float64]  # box 0..9 -> succession box points


def compile_policy(policy: Policy) -> PolicyTables:
    """Build the lookup arrays of one policy (microseconds; done per call, not cached)."""
    performance = policy.performance
    predikat_level = np.full(len(PREDIKAT), -1, dtype=np.int8)
    if isinstance(performance, PredikatPerformance):
        predikat_level[:] = [PERFORMANCE_LEVELS.index(performance.levels[code]) for code in PREDIKAT]
    box = np.zeros((len(PERFORMANCE_LEVELS), len(POTENTIAL_LEVELS)), dtype=np.int8)
    for perf_code, perf_name in enumerate(PERFORMANCE_LEVELS):
        row = getattr(policy.box_table, perf_name)
        box[perf_code] = [getattr(row, pot_name) for pot_name in POTENTIAL_LEVELS]
    in_pool = np.zeros(10, dtype=np.bool_)
    in_pool[list(policy.talent_pool_boxes)] = True
    box_points = np.zeros(10, dtype=np.float64)
    for box_number, points in policy.succession.box_points.items():
        box_points[box_number] = points
    return PolicyTables(
        predikat_level=predikat_level,
        predikat_score=np.array([policy.predikat_scores[code] for code in PREDIKAT], dtype=np.float64),
        qualification=np.array([policy.qualification_scores[code] for code in EDUCATION], dtype=np.float64),
        default_standard=np.array([policy.default_competency_standard[code] for code in LEVELS], dtype=np.int64),
        box=box,
        in_pool=in_pool,
        box_points=box_points,
    )
