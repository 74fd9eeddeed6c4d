"""Plain per-person Python of the placement rules: the oracle the vectorised engine is tested against.

Written from DOMAIN.md, not from the vectorised code (which it never imports): dates are `datetime.date`,
codes are strings, missing is None. Slow on purpose-free grounds only: it is the readable statement of the
rules. Shared conventions (not shared code): a score is held to 9 decimals, band edges are inclusive,
29 February anniversaries fall on 1 March, completed years count whole years.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np

from .codes import (
    COMPETENCIES,
    EDUCATION,
    EMPLOYMENT_TYPES,
    LEVELS,
    PREDIKAT,
    Education,
    EmploymentType,
    Level,
    Predikat,
)
from .inputs import ScoringInputs
from .policy import Policy, PredikatPerformance

Code = TypeVar("Code", bound=str)


@dataclass(frozen=True)
class Person:
    """One row of the scoring inputs as plain Python values (None = missing)."""

    nip: str
    employment_type: EmploymentType | None
    level: Level | None
    education: Education | None
    predikat_y: Predikat | None
    predikat_y1: Predikat | None
    birth_date: dt.date | None
    retirement_date: dt.date | None
    level_since: dt.date | None
    rank_order: int | None
    rank_since: dt.date | None
    competency_assessed_on: dt.date | None
    competency_levels: dict[str, int]  # only the assessed competencies
    competency_standard: dict[str, int]  # only the competencies the position's standard names
    potential_assessed_on: dt.date | None
    potential_score: float | None
    sanctions_in_force: int
    recent_sanctions: dict[str, int]  # ringan / sedang / berat
    last_heavy_sanction_ended_on: dt.date | None
    awards_recent: int


def _date(value: Any) -> dt.date | None:
    return None if np.isnat(value) else dt.date.fromisoformat(str(value.astype("datetime64[D]")))


def _name(names: tuple[Code, ...], code: Any) -> Code | None:
    return None if int(code) < 0 else names[int(code)]


def people(inputs: ScoringInputs) -> list[Person]:
    """Every row as a `Person`."""
    return [person(inputs, index) for index in range(len(inputs))]


def person(inputs: ScoringInputs, i: int) -> Person:
    """Row `i` as a `Person`."""
    score = float(inputs.potential_score[i])
    levels, standard = inputs.competency_levels[i], inputs.competency_standard[i]
    return Person(
        nip=str(inputs.nip[i]),
        employment_type=_name(EMPLOYMENT_TYPES, inputs.employment_type[i]),
        level=_name(LEVELS, inputs.level[i]),
        education=_name(EDUCATION, inputs.education[i]),
        predikat_y=_name(PREDIKAT, inputs.predikat_y[i]),
        predikat_y1=_name(PREDIKAT, inputs.predikat_y1[i]),
        birth_date=_date(inputs.birth_date[i]),
        retirement_date=_date(inputs.retirement_date[i]),
        level_since=_date(inputs.level_since[i]),
        rank_order=None if inputs.rank_order[i] < 0 else int(inputs.rank_order[i]),
        rank_since=_date(inputs.rank_since[i]),
        competency_assessed_on=_date(inputs.competency_assessed_on[i]),
        competency_levels={code: int(level) for code, level in zip(COMPETENCIES, levels, strict=True) if level},
        competency_standard={code: int(level) for code, level in zip(COMPETENCIES, standard, strict=True) if level},
        potential_assessed_on=_date(inputs.potential_assessed_on[i]),
        potential_score=None if score != score else score,
        sanctions_in_force=int(inputs.sanctions_in_force[i]),
        recent_sanctions={
            "ringan": int(inputs.ringan_recent[i]),
            "sedang": int(inputs.sedang_recent[i]),
            "berat": int(inputs.berat_recent[i]),
        },
        last_heavy_sanction_ended_on=_date(inputs.last_heavy_sanction_ended_on[i]),
        awards_recent=int(inputs.awards_recent[i]),
    )


def add_years(day: dt.date, years: int) -> dt.date:
    """The same calendar day `years` later (earlier if negative); 29 Feb becomes 1 Mar in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return dt.date(day.year + years, 3, 1)


def age_in_years(born: dt.date, on: dt.date) -> int:
    """Completed years from `born` to `on`."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def held_to_9_decimals(value: float) -> float:
    """The score as the engine keeps it: rounded half-even to 9 decimal places."""
    return round(value * 1e9) / 1e9


def three_way(value: float, lower_edge: float, upper_edge: float, names: tuple[str, str, str]) -> str:
    """The band of `value`; each edge belongs to the band above it."""
    if value >= upper_edge:
        return names[2]
    return names[1] if value >= lower_edge else names[0]


def jpm(levels: dict[str, int], standard: dict[str, int]) -> float | None:
    """Sum of achieved levels over the named competencies / sum of standard levels x 100, capped at 100."""
    required = sum(standard.values())
    if required == 0:
        return None
    achieved = sum(levels.get(code, 0) for code in standard)
    return held_to_9_decimals(min(achieved / required * 100.0, 100.0))


def standard_for(p: Person, policy: Policy) -> dict[str, int]:
    """The position's own standard, or the policy default for its level on all nine competencies."""
    if p.competency_standard:
        return p.competency_standard
    if p.level is None:
        return {}
    return dict.fromkeys(COMPETENCIES, policy.default_competency_standard[p.level])


def _missing(p: Person, policy: Policy, period_end: dt.date) -> list[str]:
    oldest = add_years(period_end, -policy.max_input_age_years)
    weights = policy.potential_weights
    missing = [] if p.predikat_y else ["performance_rating"]
    competency_on = p.competency_assessed_on
    if weights.jpm > 0:
        if competency_on is None or competency_on > period_end:
            missing.append("competency_assessment")
        elif competency_on < oldest:
            missing.append("stale_competency_assessment")
        if p.level is None:
            missing.append("position")
    potential_on = p.potential_assessed_on
    if weights.potential_assessment > 0:
        if potential_on is None or p.potential_score is None or potential_on > period_end:
            missing.append("potential_assessment")
        elif potential_on < oldest:
            missing.append("stale_potential_assessment")
    if weights.qualification > 0 and p.education is None:
        missing.append("education")
    return missing


def _performance(p: Person, policy: Policy) -> tuple[str | None, float | None]:
    rule = policy.performance
    if p.predikat_y is None:
        return None, None
    if isinstance(rule, PredikatPerformance):
        return rule.levels[p.predikat_y], None
    recognition = min(rule.recognition_cap, rule.recognition_per_award * p.awards_recent)
    normalised = policy.predikat_scores[p.predikat_y] / policy.predikat_score_divisor
    score = held_to_9_decimals(rule.predikat_weight * normalised + rule.recognition_weight * recognition)
    bands = rule.bands
    return three_way(score, bands.meets_from, bands.above_from, ("below", "meets", "above")), score


def reference_place_one(p: Person, policy: Policy, period: int) -> dict[str, Any]:
    """One person's placement: status, missing codes, levels, scores and box (None where not computed)."""
    period_end = dt.date(period, 12, 31)
    missing = _missing(p, policy, period_end)
    usable = p.competency_assessed_on is not None and p.competency_assessed_on <= period_end
    person_jpm = jpm(p.competency_levels, standard_for(p, policy)) if usable else None
    weights = policy.potential_weights
    integrity = policy.integrity
    sanctions = p.recent_sanctions
    values = {
        "jpm": person_jpm,
        "potential_assessment": p.potential_score,
        "qualification": policy.qualification_scores[p.education] if p.education else None,
        "integrity": max(
            integrity.floor,
            integrity.base
            - integrity.deduction["ringan"] * sanctions["ringan"]
            - integrity.deduction["sedang"] * sanctions["sedang"]
            - integrity.deduction["berat"] * sanctions["berat"],
        ),
    }
    weighted = [(weight, values[name]) for name, weight in weights.model_dump().items() if weight > 0]
    potential_score = potential_level = None
    if not [code for code in missing if code != "performance_rating"]:
        total = weighted[0][0] * weighted[0][1]
        for weight, value in weighted[1:]:
            total = total + weight * value
        potential_score = held_to_9_decimals(total)
        bands = policy.potential_bands
        potential_level = three_way(potential_score, bands.medium_from, bands.high_from, ("low", "medium", "high"))
    performance_level, performance_score = _performance(p, policy)
    box = None
    if not missing:
        box = getattr(getattr(policy.box_table, performance_level or ""), potential_level or "")
    return {
        "status": "incomplete" if missing else "placed",
        "missing": missing,
        "performance_level": performance_level,
        "performance_score": performance_score,
        "jpm": person_jpm,
        "jpm_default_standard": not p.competency_standard and p.level is not None,
        "potential_score": potential_score,
        "potential_level": potential_level,
        "box": box,
        "in_talent_pool": box in policy.talent_pool_boxes,
    }


def reference_place(inputs: ScoringInputs, policy: Policy, period: int) -> list[dict[str, Any]]:
    """Every row's placement, one person at a time."""
    return [reference_place_one(p, policy, period) for p in people(inputs)]
