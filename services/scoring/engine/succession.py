"""Vectorised successor search for one target position (DOMAIN.md "Succession").

Every rule is checked as of `as_of`; a person failing one is excluded with its code (RULE_CODES), except a
short time in level that completes within the readiness window (then `ready_1_2_years`). Edges:
- time in level: met when `level_since + min years <= as_of`; short but kept when that day is on or before
  `as_of + window years`; later (or no `level_since`) fails `time_in_level`;
- age at appointment: completed years at `as_of` <= the limit (a 56-year-old passes 56, a 57-year-old fails);
- retirement: fails when the retirement date is on or before `as_of + margin years`;
- discipline: fails with any sanction in force, or a sedang/berat one that ended on or after `as_of - lookback`;
- min rank: rank order >= the minimum on the same scale (a PNS minimum excludes PPPK golongan and vice versa);
- performance: predikat at least `min_predikat` in Y and Y-1 (missing fails); education: at least the level;
- a missing input fails the rule it feeds. Ranking ties: score, then higher rank, earlier rank_since, smaller NIP.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray

from .codes import (
    COMPETENCIES,
    EDUCATION,
    EMPLOYMENT_TYPES,
    LEVELS,
    PPPK_CODE,
    PREDIKAT,
    parse_level,
    rank_scale_and_order,
)
from .dates import anniversary, as_day, completed_years, shift_day
from .inputs import ScoringInputs
from .placement import jpm_against, snap
from .policy import Policy, SuccessionTargetRule
from .tables import compile_policy

RULE_CODES: Final = (
    "feeder_level",
    "time_in_level",
    "min_rank",
    "education",
    "age_limit",
    "retirement",
    "performance",
    "discipline",
    "talent_pool",
    "employment_type",
)
RULE_BIT: Final = {code: 1 << index for index, code in enumerate(RULE_CODES)}
READY_NOW, READY_1_2_YEARS, READY_3_PLUS_YEARS = 0, 1, 2  # indices of codes.READINESS

Floats = NDArray[np.float64]


class UnsupportedTarget(ValueError):
    """The policy has no succession rule for the target's level (e.g. jpt_utama in the built-ins)."""


@dataclass(frozen=True, eq=False)
class TalentColumns:
    """Per-candidate results of the agency's latest completed review (calibrations applied), row-aligned."""

    effective_box: NDArray[np.int8]  # 1..9, the calibrated box where there is one; 0 = not placed
    potential_score: Floats  # NaN = none
    predikat_y: NDArray[np.int8]  # predikat codes of the review's period Y and Y-1, -1 = missing
    predikat_y1: NDArray[np.int8]
    in_talent_pool: NDArray[np.bool_]

    def __post_init__(self) -> None:
        sizes = {len(getattr(self, name)) for name in self.__dataclass_fields__}
        if len(sizes) > 1:
            raise ValueError(f"talent columns differ in length: {sorted(sizes)}")

    def __len__(self) -> int:
        return len(self.effective_box)


@dataclass(frozen=True)
class SuccessionTarget:
    """The position to fill: its level, its own competency standard and minimum rank when it has them."""

    level: str
    competency_standard: Mapping[str, int] | None = None
    min_rank: str | None = None


@dataclass(frozen=True)
class Criteria:
    """The rule values applied to one target (after the position's own values and the policy's defaults)."""

    target: SuccessionTarget
    rule: SuccessionTargetRule
    standard: NDArray[np.uint8]  # 9 levels, 0 = not named
    standard_source: str  # "position" or "policy_default"
    min_rank: str
    min_rank_is_pppk: bool
    min_rank_order: int
    max_age: int | None


@dataclass(frozen=True, eq=False)
class SuccessionColumns:
    """Row-aligned results for every person passed in; `order` ranks the eligible ones, best first."""

    failed: NDArray[np.uint16]  # bitmask over RULE_CODES; 0 = candidate
    time_in_level_met: NDArray[np.bool_]
    time_in_level_completes_on: NDArray[np.datetime64]
    target_jpm: Floats  # NaN without a competency assessment on or before as_of
    box_points: Floats
    performance: Floats  # mean predikat score of Y and Y-1 / divisor
    score: Floats  # NaN for excluded rows
    readiness: NDArray[np.int8]  # READY_* for candidates, -1 for excluded rows
    order: NDArray[np.intp]


def feeder_levels(target_level: str, policy: Policy) -> tuple[str, ...]:
    """The levels whose people are considered for a target level: the export's `levels` filter."""
    rule = policy.succession.targets.get(parse_level(target_level))
    if rule is None:
        raise UnsupportedTarget(f"the policy has no succession rule for level {target_level!r}")
    return tuple(rule.feeder_levels)


def criteria(target: SuccessionTarget, policy: Policy) -> Criteria:
    """Resolve the target's rule values: its own standard and min rank, else the policy's defaults."""
    level = parse_level(target.level)
    rule = policy.succession.targets.get(level)
    if rule is None:
        raise UnsupportedTarget(f"the policy has no succession rule for level {target.level!r}")
    standard = np.zeros(len(COMPETENCIES), dtype=np.uint8)
    own = dict(target.competency_standard or {})
    for code, required in own.items():
        if code not in COMPETENCIES or not 1 <= required <= 5:
            raise ValueError(f"competency standard {code}={required} is not a known competency at level 1..5")
        standard[COMPETENCIES.index(code)] = required
    if not own:
        standard[:] = policy.default_competency_standard[level]
    min_rank = target.min_rank or rule.default_min_rank
    is_pppk, order = rank_scale_and_order(min_rank)
    return Criteria(
        target=target,
        rule=rule,
        standard=standard,
        standard_source="position" if own else "policy_default",
        min_rank=min_rank,
        min_rank_is_pppk=is_pppk,
        min_rank_order=order,
        max_age=policy.succession.max_age_at_appointment.get(level),
    )


def _fails(rows: ScoringInputs, talent: TalentColumns, crit: Criteria, policy: Policy, as_of: np.datetime64) -> Any:
    succession, rule = policy.succession, crit.rule
    feeders = [LEVELS.index(level) for level in rule.feeder_levels]
    completes = anniversary(rows.level_since, rule.min_years_in_level)
    window_end = shift_day(as_of, succession.readiness.time_in_level_window_years)
    is_pppk = rows.employment_type == PPPK_CODE
    ages = completed_years(rows.birth_date, as_of)
    best_allowed = PREDIKAT.index(succession.min_predikat)
    heavy_since = shift_day(as_of, -succession.discipline_lookback_years)
    ended = rows.last_heavy_sanction_ended_on
    excluded_types = [EMPLOYMENT_TYPES.index(kind) for kind in succession.excluded_employment_types]
    ok = {
        "feeder_level": np.isin(rows.level, feeders),
        "time_in_level": ~np.isnat(completes) & (completes <= window_end),
        "min_rank": (rows.employment_type >= 0)
        & (is_pppk == crit.min_rank_is_pppk)
        & (rows.rank_order >= crit.min_rank_order),
        "education": rows.education >= (-1 if rule.min_education is None else EDUCATION.index(rule.min_education)),
        "age_limit": np.full(len(rows), True)
        if crit.max_age is None
        else ~np.isnat(rows.birth_date) & (ages <= crit.max_age),
        "retirement": ~np.isnat(rows.retirement_date)
        & (rows.retirement_date > shift_day(as_of, succession.retirement_margin_years)),
        "performance": (talent.predikat_y >= 0)
        & (talent.predikat_y <= best_allowed)
        & (talent.predikat_y1 >= 0)
        & (talent.predikat_y1 <= best_allowed),
        "discipline": (rows.sanctions_in_force == 0) & (np.isnat(ended) | (ended < heavy_since)),
        "talent_pool": talent.in_talent_pool.astype(np.bool_),
        "employment_type": (rows.employment_type >= 0) & ~np.isin(rows.employment_type, excluded_types),
    }
    failed = np.zeros(len(rows), dtype=np.uint16)
    for index, code in enumerate(RULE_CODES):
        failed |= (~ok[code]).astype(np.uint16) << np.uint16(index)
    return failed, completes, (completes <= as_of)


def evaluate(
    candidates: ScoringInputs, talent: TalentColumns, target: SuccessionTarget, policy: Policy, as_of: dt.date
) -> SuccessionColumns:
    """Rules, target JPM, ranking score, readiness and order for every row: the vectorised core."""
    if len(talent) != len(candidates):
        raise ValueError("talent and candidates must be row-aligned")
    crit, tables, day = criteria(target, policy), compile_policy(policy), as_day(as_of)
    failed, completes, time_met = _fails(candidates, talent, crit, policy, day)
    assessed = ~np.isnat(candidates.competency_assessed_on) & (candidates.competency_assessed_on <= day)
    target_jpm = np.where(assessed, jpm_against(candidates.competency_levels, crit.standard), np.nan)
    box_points = tables.box_points[np.clip(talent.effective_box, 0, 9)]
    predikat = tables.predikat_score
    mean_predikat = (predikat[np.maximum(talent.predikat_y, 0)] + predikat[np.maximum(talent.predikat_y1, 0)]) / 2
    performance = mean_predikat / policy.predikat_score_divisor
    weights = policy.succession.ranking_weights
    score = weights.target_jpm * np.nan_to_num(target_jpm) + weights.box * box_points
    score = snap(score + weights.potential * np.nan_to_num(talent.potential_score) + weights.performance * performance)
    eligible = failed == 0
    readiness = _readiness(target_jpm, time_met, policy)
    rows = np.flatnonzero(eligible)
    rank_since = candidates.rank_since[rows].astype(np.int64)
    rank_since[np.isnat(candidates.rank_since[rows])] = np.iinfo(np.int64).max  # unknown = shortest in rank
    keys = (candidates.nip[rows], rank_since, -candidates.rank_order[rows].astype(np.int64), -score[rows])
    return SuccessionColumns(
        failed=failed,
        time_in_level_met=time_met,
        time_in_level_completes_on=completes,
        target_jpm=target_jpm,
        box_points=box_points,
        performance=performance,
        score=np.where(eligible, score, np.nan),
        readiness=np.where(eligible, readiness, -1).astype(np.int8),
        order=rows[np.lexsort(keys)],
    )


def _readiness(target_jpm: Floats, time_met: NDArray[np.bool_], policy: Policy) -> NDArray[np.int8]:
    thresholds = policy.succession.readiness
    with np.errstate(invalid="ignore"):
        now = time_met & (target_jpm >= thresholds.ready_now_min_jpm)
        soon = target_jpm >= thresholds.ready_1_2_years_min_jpm
    return np.where(now, READY_NOW, np.where(soon, READY_1_2_YEARS, READY_3_PLUS_YEARS)).astype(np.int8)
