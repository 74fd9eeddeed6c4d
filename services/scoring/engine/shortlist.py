"""The successor shortlist as JSON-ready entries: ranked candidates with reasons, excluded people with rules.

The rules and numbers come from `succession.evaluate`; this module only words them, per listed person.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .codes import EDUCATION, EMPLOYMENT_TYPES, LEVELS, PNS_RANKS, PPPK_RANKS, PREDIKAT, READINESS
from .dates import completed_years
from .inputs import ScoringInputs
from .policy import Policy
from .succession import (
    READY_1_2_YEARS,
    READY_NOW,
    RULE_BIT,
    Criteria,
    SuccessionColumns,
    SuccessionTarget,
    TalentColumns,
    criteria,
    evaluate,
)


@dataclass(frozen=True, eq=False)
class SuccessionResult:
    """A shortlist: `candidates` (top `limit`, JSON-ready), `excluded()` on demand, and the raw columns."""

    target: SuccessionTarget
    as_of: dt.date
    review_period: int
    policy: Policy
    criteria: Criteria
    columns: SuccessionColumns
    inputs: ScoringInputs = field(repr=False)
    talent: TalentColumns = field(repr=False)
    candidates: list[dict[str, Any]] = field(default_factory=list)

    def excluded(self) -> list[dict[str, Any]]:
        """Everyone passed in who failed a rule: index, NIP, rule codes and one sentence per rule."""
        rows = np.flatnonzero(self.columns.failed)
        return [self._excluded_entry(int(row)) for row in rows]

    def _excluded_entry(self, row: int) -> dict[str, Any]:
        mask = int(self.columns.failed[row])
        rules = [code for code, bit in RULE_BIT.items() if mask & bit]
        return {
            "index": row,
            "nip": str(self.inputs.nip[row]),
            "rules": rules,
            "reasons": [f"{code}: {_why_failed(self, row, code)}" for code in rules],
        }


def successors(
    candidates: ScoringInputs,
    talent: TalentColumns,
    target: SuccessionTarget,
    policy: Policy,
    as_of: dt.date,
    review_period: int,
    limit: int | None = None,
) -> SuccessionResult:
    """Rank the successors of a target position; `limit` defaults to the policy's shortlist size."""
    columns = evaluate(candidates, talent, target, policy, as_of)
    result = SuccessionResult(
        target=target,
        as_of=as_of,
        review_period=review_period,
        policy=policy,
        criteria=criteria(target, policy),
        columns=columns,
        inputs=candidates,
        talent=talent,
    )
    size = policy.succession.shortlist_size if limit is None else max(limit, 0)
    for rank, row in enumerate(columns.order[:size].tolist(), start=1):
        result.candidates.append(_candidate_entry(result, rank, row))
    return result


def _day(value: np.datetime64) -> str | None:
    return None if np.isnat(value) else str(value.astype("datetime64[D]"))


def _named(names: tuple[str, ...], code: Any) -> str:
    return names[int(code)] if int(code) >= 0 else "none"


def _terms(result: SuccessionResult, row: int) -> list[dict[str, Any]]:
    columns, talent = result.columns, result.talent
    weights = result.policy.succession.ranking_weights
    jpm, potential = float(columns.target_jpm[row]), float(talent.potential_score[row])
    values: list[tuple[str, float | None, float, dict[str, Any]]] = [
        ("target_jpm", None if math.isnan(jpm) else jpm, weights.target_jpm, {}),
        ("box", float(columns.box_points[row]), weights.box, {"box": int(talent.effective_box[row])}),
        ("potential", None if math.isnan(potential) else potential, weights.potential, {}),
        (
            "performance",
            float(columns.performance[row]),
            weights.performance,
            {
                "predikat_y": _named(PREDIKAT, talent.predikat_y[row]),
                "predikat_y1": _named(PREDIKAT, talent.predikat_y1[row]),
            },
        ),
    ]
    return [
        {"name": name, "value": value, "weight": weight, "points": weight * (value or 0.0), **extra}
        for name, value, weight, extra in values
    ]


def _readiness_reason(result: SuccessionResult, row: int) -> str:
    columns, thresholds = result.columns, result.policy.succession.readiness
    jpm = float(columns.target_jpm[row])
    shown = "none (no competency assessment on or before as_of, counted as 0)" if math.isnan(jpm) else f"{jpm:.2f}"
    readiness = int(columns.readiness[row])
    if readiness == READY_NOW:
        return f"Ready now: every rule met and target JPM {shown} >= {thresholds.ready_now_min_jpm:g}"
    if readiness == READY_1_2_YEARS and not columns.time_in_level_met[row]:
        return f"Ready in 1-2 years: time in level completes on {_day(columns.time_in_level_completes_on[row])}"
    if readiness == READY_1_2_YEARS:
        band = f"{thresholds.ready_1_2_years_min_jpm:g} to < {thresholds.ready_now_min_jpm:g}"
        return f"Ready in 1-2 years: target JPM {shown} is {band}"
    return f"Ready in 3+ years: target JPM {shown} < {thresholds.ready_1_2_years_min_jpm:g}"


def _selection_band(jpm: float, policy: Policy) -> str | None:
    """DOMAIN.md's selection bands, on the readiness edges: memenuhi_syarat >= 80, masih_ 68 to < 80, kurang_ < 68."""
    if math.isnan(jpm):
        return None
    thresholds = policy.succession.readiness
    if jpm >= thresholds.ready_now_min_jpm:
        return "memenuhi_syarat"
    return "masih_memenuhi_syarat" if jpm >= thresholds.ready_1_2_years_min_jpm else "kurang_memenuhi_syarat"


def _sentence(label: str, term: dict[str, Any]) -> str:
    value = "none (counted as 0)" if term["value"] is None else f"{term['value']:.2f}"
    return f"{label}: {value} x {term['weight']:.2f} = {term['points']:.2f} points"


def _candidate_entry(result: SuccessionResult, rank: int, row: int) -> dict[str, Any]:
    columns = result.columns
    jpm_term, box_term, potential_term, performance_term = terms = _terms(result, row)
    jpm = float(columns.target_jpm[row])
    year = result.review_period
    reasons = [
        _sentence(
            f"Target JPM against the target's {result.criteria.standard_source.replace('_', ' ')} standard", jpm_term
        ),
        _sentence(f"Box points for box {box_term['box']}", box_term),
        _sentence("Potential score", potential_term),
        _sentence(
            f"Performance (predikat {year} {performance_term['predikat_y']}, "
            f"{year - 1} {performance_term['predikat_y1']}, mean score / {result.policy.predikat_score_divisor:g})",
            performance_term,
        ),
        _readiness_reason(result, row),
    ]
    return {
        "rank": rank,
        "index": row,
        "nip": str(result.inputs.nip[row]),
        "score": float(columns.score[row]),
        "readiness": READINESS[int(columns.readiness[row])],
        "target_jpm": None if math.isnan(jpm) else jpm,
        "target_jpm_band": _selection_band(jpm, result.policy),
        "box": int(result.talent.effective_box[row]),
        "time_in_level_met": bool(columns.time_in_level_met[row]),
        "time_in_level_completes_on": _day(columns.time_in_level_completes_on[row]),
        "terms": terms,
        "reasons": reasons,
    }


def _why_failed(result: SuccessionResult, row: int, code: str) -> str:
    rows, talent, crit, policy = result.inputs, result.talent, result.criteria, result.policy
    succession = policy.succession
    if code == "feeder_level":
        return f"level {_named(LEVELS, rows.level[row])} is not one of {', '.join(crit.rule.feeder_levels)}"
    if code == "time_in_level":
        since = _day(rows.level_since[row])
        if since is None:
            return "no date for the start of the time in level"
        return (
            f"in level since {since}; {crit.rule.min_years_in_level} years complete on "
            f"{_day(result.columns.time_in_level_completes_on[row])}, more than "
            f"{succession.readiness.time_in_level_window_years} years after {result.as_of}"
        )
    if code == "min_rank":
        return f"rank {_rank_name(rows, row)} is below the minimum {crit.min_rank}"
    if code == "education":
        return f"education {_named(EDUCATION, rows.education[row])} is below {crit.rule.min_education}"
    if code == "age_limit":
        age = _age(rows.birth_date[row : row + 1], result.as_of)
        return f"age {age} at {result.as_of} is above {crit.max_age}"
    if code == "retirement":
        return (
            f"retires on {_day(rows.retirement_date[row])}, within {succession.retirement_margin_years} "
            f"year(s) of {result.as_of}"
        )
    if code == "performance":
        year = result.review_period
        return (
            f"predikat {year} {_named(PREDIKAT, talent.predikat_y[row])} and {year - 1} "
            f"{_named(PREDIKAT, talent.predikat_y1[row])}; at least {succession.min_predikat} needed in both"
        )
    if code == "discipline":
        if rows.sanctions_in_force[row] > 0:
            return "a disciplinary sanction is in force"
        return (
            f"a sedang/berat sanction ended on {_day(rows.last_heavy_sanction_ended_on[row])}, within "
            f"{succession.discipline_lookback_years} years of {result.as_of}"
        )
    if code == "talent_pool":
        box = int(talent.effective_box[row])
        return f"not in the review's talent pool (box {box if box else 'none'})"
    return f"employment type {_named(EMPLOYMENT_TYPES, rows.employment_type[row])} is not a candidate for this level"


def _rank_name(rows: ScoringInputs, row: int) -> str:
    order, kind = int(rows.rank_order[row]), _named(EMPLOYMENT_TYPES, rows.employment_type[row])
    names = PPPK_RANKS if kind == "pppk" else PNS_RANKS
    name = next((name for name, code in names.items() if code == order), f"order {order}")
    return "unknown" if order < 0 else f"{name} ({kind})"


def _age(birth: NDArray[np.datetime64], as_of: dt.date) -> str:
    if np.isnat(birth[0]):
        return "unknown (no birth date)"
    return str(int(completed_years(birth, np.datetime64(as_of, "D"))[0]))
