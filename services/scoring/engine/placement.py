"""Vectorised 9-box placement (DOMAIN.md "The 9-box", "Potential", "Policies"): arrays in, arrays out.

Edges, all inclusive at the lower end of a band ("78 to < 90" is medium): a score equal to an edge is in
the upper band. Scores are kept to 9 decimal places (`snap`) so float noise never moves a person across
an edge, while 77.99 stays below 78. An input dated after the period's end is not used (missing); one
dated before `period end - max_input_age_years` is stale (`stale_<code>`); exactly at that day is fine.
An input is required only where its weight is above 0 (a policy that ignores JPM needs no position).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray

from .dates import period_end, shift_day
from .inputs import ScoringInputs
from .policy import Policy, PredikatPerformance
from .tables import PolicyTables, compile_policy

MISSING_CODES: Final = (
    "performance_rating",
    "competency_assessment",
    "potential_assessment",
    "position",
    "education",
    "stale_competency_assessment",
    "stale_potential_assessment",
)
MISSING_BIT: Final = {code: 1 << index for index, code in enumerate(MISSING_CODES)}
POTENTIAL_TERMS: Final = ("jpm", "potential_assessment", "qualification", "integrity")
_SCALE: Final = 1e9
BLOCK_ROWS: Final = 1 << 17

Floats = NDArray[np.float64]


def snap(values: Floats) -> Floats:
    """Scores held to 9 decimals: removes float noise (40.000000000000007 -> 40) before any band compares."""
    snapped: Floats = np.rint(values * _SCALE) / _SCALE
    return snapped


def missing_codes(mask: int) -> list[str]:
    """The missing-input codes of one bitmask, in `MISSING_CODES` order."""
    return [code for code, bit in MISSING_BIT.items() if mask & bit]


def decode_missing(masks: NDArray[np.uint16]) -> list[tuple[str, ...]]:
    """Per-row tuples of missing codes, decoding each distinct mask once (fast for millions of rows)."""
    distinct, inverse = np.unique(masks, return_inverse=True)
    decoded = [tuple(missing_codes(int(mask))) for mask in distinct]
    return [decoded[index] for index in inverse.reshape(-1).tolist()]


def jpm_from_sums(achieved: NDArray[np.integer], required: NDArray[np.integer]) -> Floats:
    """JPM = achieved / required x 100, capped at 100 (DOMAIN.md "JPM"); NaN where nothing is required."""
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(required > 0, achieved / required * 100.0, np.nan)
    return snap(np.minimum(ratio, 100.0))


def jpm_against(levels: NDArray[np.uint8], standard: NDArray[np.uint8]) -> Floats:
    """JPM of each row's levels against one standard (9 levels, 0 = not named); a level missing counts 0."""
    named = np.flatnonzero(standard)
    achieved = levels[:, named].sum(axis=1, dtype=np.int16)
    required = np.full(len(levels), int(standard.sum(dtype=np.int64)), dtype=np.int64)
    return jpm_from_sums(achieved, required)


@dataclass(frozen=True, eq=False)
class Components:
    """Every intermediate value of a placement (what `explain` reports); NaN / -1 where not computed."""

    period_end: np.datetime64
    oldest_allowed: np.datetime64
    missing: NDArray[np.uint16]
    jpm_default_standard: NDArray[np.bool_]
    terms: dict[str, Floats]  # potential term name -> value (before weighting)
    potential_score: Floats
    potential_level: NDArray[np.int8]
    predikat_score: Floats
    recognition: Floats
    performance_score: Floats
    performance_level: NDArray[np.int8]


def _lookup(table: NDArray[np.float64], codes: NDArray[np.int8]) -> Floats:
    return np.where(codes >= 0, table[np.maximum(codes, 0)], np.nan)


def _band(values: Floats, lower_edge: float, upper_edge: float) -> NDArray[np.int8]:
    level = (values >= lower_edge).astype(np.int8) + (values >= upper_edge)
    return np.where(np.isnan(values), -1, level).astype(np.int8)


def _jpm_at_position(inputs: ScoringInputs, tables: PolicyTables) -> tuple[Floats, NDArray[np.bool_]]:
    levels, standard = inputs.competency_levels, inputs.competency_standard  # n x 9, column-major: fast sums
    own = standard.max(axis=1) > 0
    achieved_named = (levels * (standard > 0)).sum(axis=1, dtype=np.int16)
    achieved_all = levels.sum(axis=1, dtype=np.int16)
    known = inputs.level >= 0
    default_required = (
        np.where(known, tables.default_standard[np.maximum(inputs.level, 0)], 0).astype(np.int16) * levels.shape[1]
    )
    achieved = np.where(own, achieved_named, achieved_all)
    required = np.where(own, standard.sum(axis=1, dtype=np.int16), default_required)
    return jpm_from_sums(achieved, required), ~own & known


def _integrity(inputs: ScoringInputs, policy: Policy) -> Floats:
    rule = policy.integrity
    deduction = rule.deduction
    value = rule.base - deduction["ringan"] * inputs.ringan_recent
    value = value - deduction["sedang"] * inputs.sedang_recent
    value = value - deduction["berat"] * inputs.berat_recent
    floored: Floats = np.maximum(value, rule.floor)
    return floored


def _bit(condition: NDArray[np.bool_], code: str) -> NDArray[np.uint16]:
    shifted: NDArray[np.uint16] = condition.astype(np.uint16) << np.uint16(MISSING_CODES.index(code))
    return shifted


def _missing(
    inputs: ScoringInputs, policy: Policy, usable: dict[str, NDArray[np.bool_]], oldest: np.datetime64
) -> NDArray[np.uint16]:
    weights = policy.potential_weights
    missing = _bit(inputs.predikat_y < 0, "performance_rating")
    dated = (
        ("competency_assessment", inputs.competency_assessed_on, weights.jpm, None),
        ("potential_assessment", inputs.potential_assessed_on, weights.potential_assessment, inputs.potential_score),
    )
    for code, assessed_on, weight, score in dated:
        if weight <= 0:
            continue
        present = usable[code] if score is None else usable[code] & ~np.isnan(score)
        missing |= _bit(~present, code)
        missing |= _bit(present & (assessed_on < oldest), f"stale_{code}")
    if weights.jpm > 0:
        missing |= _bit(inputs.level < 0, "position")
    if weights.qualification > 0:
        missing |= _bit(inputs.education < 0, "education")
    return missing


def components(inputs: ScoringInputs, policy: Policy, period: int) -> Components:
    """All intermediate values of the placement of `inputs` for review period Y under `policy`."""
    return _components(inputs, policy, compile_policy(policy), period)


def _usable(assessed_on: NDArray[np.datetime64], end: np.datetime64) -> NDArray[np.bool_]:
    return ~np.isnat(assessed_on) & (assessed_on <= end)


def _components(inputs: ScoringInputs, policy: Policy, tables: PolicyTables, period: int) -> Components:
    end = period_end(period)
    oldest = shift_day(end, -policy.max_input_age_years)
    # Dated after the period's end = not an input of this period.
    usable = {
        "competency_assessment": _usable(inputs.competency_assessed_on, end),
        "potential_assessment": _usable(inputs.potential_assessed_on, end),
    }
    missing = _missing(inputs, policy, usable, oldest)
    jpm, default_standard = _jpm_at_position(inputs, tables)
    terms = {
        "jpm": np.where(usable["competency_assessment"], jpm, np.nan),
        "potential_assessment": np.where(usable["potential_assessment"], inputs.potential_score, np.nan),
        "qualification": _lookup(tables.qualification, inputs.education),
        "integrity": _integrity(inputs, policy),
    }
    weights = policy.potential_weights.model_dump()
    weighted = [weights[name] * terms[name] for name in POTENTIAL_TERMS if weights[name] > 0]
    total = weighted[0]
    for term in weighted[1:]:
        total = total + term
    potential_bits = sum(
        MISSING_BIT[code] for code in MISSING_CODES if code != "performance_rating"
    )  # everything but the predikat feeds potential
    potential_score = np.where(missing & potential_bits, np.nan, snap(total))
    bands = policy.potential_bands
    predikat_score = _lookup(tables.predikat_score, inputs.predikat_y)
    recognition, performance_score, performance_level = _performance(inputs, policy, tables, predikat_score)
    return Components(
        period_end=end,
        oldest_allowed=oldest,
        missing=missing,
        jpm_default_standard=default_standard,
        terms=terms,
        potential_score=potential_score,
        potential_level=_band(potential_score, bands.medium_from, bands.high_from),
        predikat_score=predikat_score,
        recognition=recognition,
        performance_score=performance_score,
        performance_level=performance_level,
    )


def _performance(
    inputs: ScoringInputs, policy: Policy, tables: PolicyTables, predikat_score: Floats
) -> tuple[Floats, Floats, NDArray[np.int8]]:
    rule = policy.performance
    if isinstance(rule, PredikatPerformance):
        level = np.where(inputs.predikat_y >= 0, tables.predikat_level[np.maximum(inputs.predikat_y, 0)], -1)
        nothing = np.full(len(inputs), np.nan)
        return nothing, nothing, level.astype(np.int8)
    recognition = np.minimum(rule.recognition_cap, rule.recognition_per_award * inputs.awards_recent)
    score = rule.predikat_weight * (predikat_score / policy.predikat_score_divisor)
    score = snap(score + rule.recognition_weight * recognition)
    return recognition, score, _band(score, rule.bands.meets_from, rule.bands.above_from)


@dataclass(frozen=True, eq=False)
class PlacementColumns:
    """Placement of n people; level codes index `codes.PERFORMANCE_LEVELS` / `POTENTIAL_LEVELS`."""

    performance_level: NDArray[np.int8]  # -1 without a predikat for Y
    performance_score: Floats  # weighted policies only, else NaN
    jpm: Floats  # against the position's standard (or the default); NaN without a usable assessment or level
    jpm_default_standard: NDArray[np.bool_]  # data-quality warning: the position has no standard of its own
    potential_score: Floats  # NaN unless every potential input is present and fresh
    potential_level: NDArray[np.int8]  # -1 where potential_score is NaN
    box: NDArray[np.int8]  # 1..9, 0 = none (incomplete)
    in_talent_pool: NDArray[np.bool_]
    placed: NDArray[np.bool_]  # status: True = placed, False = incomplete
    missing: NDArray[np.uint16]  # bitmask over MISSING_CODES; 0 exactly when placed

    def status(self) -> NDArray[np.str_]:
        """Per-row status code: `placed` or `incomplete`."""
        return np.where(self.placed, "placed", "incomplete")


def _place_block(inputs: ScoringInputs, policy: Policy, tables: PolicyTables, period: int) -> PlacementColumns:
    parts = _components(inputs, policy, tables, period)
    placed = parts.missing == 0
    cell = tables.box[np.maximum(parts.performance_level, 0), np.maximum(parts.potential_level, 0)]
    box = np.where(placed, cell, 0).astype(np.int8)
    return PlacementColumns(
        performance_level=parts.performance_level,
        performance_score=parts.performance_score,
        jpm=parts.terms["jpm"],
        jpm_default_standard=parts.jpm_default_standard,
        potential_score=parts.potential_score,
        potential_level=parts.potential_level,
        box=box,
        in_talent_pool=tables.in_pool[box],
        placed=placed,
        missing=parts.missing,
    )


def place(inputs: ScoringInputs, policy: Policy, period: int) -> PlacementColumns:
    """Place every person of `inputs` in the 9-box for review period Y; never a box for incomplete data."""
    tables = compile_policy(policy)
    size = len(inputs)
    if size <= BLOCK_ROWS:
        return _place_block(inputs, policy, tables, period)
    # Blocks keep the temporaries small and reused: a cold run at 5.6 M no longer faults in ~1 GB of fresh pages.
    columns: dict[str, NDArray[Any]] = {}
    for start in range(0, size, BLOCK_ROWS):
        block = _place_block(inputs.take(slice(start, start + BLOCK_ROWS)), policy, tables, period)
        for field in fields(PlacementColumns):
            part = getattr(block, field.name)
            if field.name not in columns:
                columns[field.name] = np.empty(size, dtype=part.dtype)
            columns[field.name][start : start + len(part)] = part
    return PlacementColumns(**columns)
