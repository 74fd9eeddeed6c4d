"""Plain per-person Python of the succession rules (DOMAIN.md "Succession"): the oracle for `succession.py`.

Independent of the vectorised code: it reads `reference.Person` rows and plain talent records, checks each
rule in order, and sorts with a Python key. Edge conventions are stated in `succession.py`'s docstring.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .codes import COMPETENCIES, EDUCATION, PREDIKAT, Level, Predikat, parse_level, rank_scale_and_order
from .policy import Policy
from .reference import Person, add_years, age_in_years, held_to_9_decimals, jpm


@dataclass(frozen=True)
class TalentRecord:
    """One candidate's results in the latest completed review."""

    box: int | None
    potential_score: float | None
    predikat_y: Predikat | None
    predikat_y1: Predikat | None
    in_talent_pool: bool


def _at_least(predikat: Predikat | None, minimum: Predikat) -> bool:
    return predikat is not None and PREDIKAT.index(predikat) <= PREDIKAT.index(minimum)


def failed_rules(
    p: Person, talent: TalentRecord, level: Level, min_rank: str | None, policy: Policy, as_of: dt.date
) -> tuple[list[str], bool, dt.date | None]:
    """The rule codes `p` fails for a target at `level`, whether time in level is met, and when it completes."""
    succession = policy.succession
    rule = succession.targets[level]  # KeyError: no rule for the level
    failed = []
    if p.level not in rule.feeder_levels:
        failed.append("feeder_level")
    completes = None if p.level_since is None else add_years(p.level_since, rule.min_years_in_level)
    window_end = add_years(as_of, succession.readiness.time_in_level_window_years)
    if completes is None or completes > window_end:
        failed.append("time_in_level")
    minimum_is_pppk, minimum = rank_scale_and_order(min_rank or rule.default_min_rank)
    if (
        p.employment_type is None
        or p.rank_order is None
        or (p.employment_type == "pppk") != minimum_is_pppk
        or p.rank_order < minimum
    ):
        failed.append("min_rank")
    if rule.min_education is not None and (
        p.education is None or EDUCATION.index(p.education) < EDUCATION.index(rule.min_education)
    ):
        failed.append("education")
    age_limit = succession.max_age_at_appointment.get(level)
    if age_limit is not None and (p.birth_date is None or age_in_years(p.birth_date, as_of) > age_limit):
        failed.append("age_limit")
    if p.retirement_date is None or p.retirement_date <= add_years(as_of, succession.retirement_margin_years):
        failed.append("retirement")
    if not (
        _at_least(talent.predikat_y, succession.min_predikat) and _at_least(talent.predikat_y1, succession.min_predikat)
    ):
        failed.append("performance")
    heavy_ended = p.last_heavy_sanction_ended_on
    recent_heavy = heavy_ended is not None and heavy_ended >= add_years(as_of, -succession.discipline_lookback_years)
    if p.sanctions_in_force > 0 or recent_heavy:
        failed.append("discipline")
    if not talent.in_talent_pool:
        failed.append("talent_pool")
    if p.employment_type is None or p.employment_type in succession.excluded_employment_types:
        failed.append("employment_type")
    return failed, completes is not None and completes <= as_of, completes


def _score(target_jpm: float | None, talent: TalentRecord, policy: Policy) -> float:
    weights = policy.succession.ranking_weights
    box_points = policy.succession.box_points.get(talent.box or 0, 0.0)
    scores = policy.predikat_scores
    # Only candidates are scored, and a candidate has met the performance rule, so both predikat exist.
    assert talent.predikat_y is not None
    assert talent.predikat_y1 is not None
    mean = (scores[talent.predikat_y] + scores[talent.predikat_y1]) / 2
    performance = mean / policy.predikat_score_divisor
    return held_to_9_decimals(
        weights.target_jpm * (target_jpm or 0.0)
        + weights.box * box_points
        + weights.potential * (talent.potential_score or 0.0)
        + weights.performance * performance
    )


def _readiness(target_jpm: float | None, time_met: bool, policy: Policy) -> str:
    thresholds = policy.succession.readiness
    if time_met and target_jpm is not None and target_jpm >= thresholds.ready_now_min_jpm:
        return "ready_now"
    if target_jpm is not None and target_jpm >= thresholds.ready_1_2_years_min_jpm:
        return "ready_1_2_years"
    return "ready_3_plus_years"


def reference_successors(
    people: list[Person],
    talent: list[TalentRecord],
    level: str,
    standard: Mapping[str, int] | None,
    min_rank: str | None,
    policy: Policy,
    as_of: dt.date,
) -> dict[str, Any]:
    """Per row: failed rules, target JPM, score and readiness (candidates only); `order`: candidates ranked."""
    target_level = parse_level(level)
    target_standard = dict(standard or {}) or dict.fromkeys(
        COMPETENCIES, policy.default_competency_standard[target_level]
    )
    rows: list[dict[str, Any]] = []
    for p, record in zip(people, talent, strict=True):
        failed, time_met, completes = failed_rules(p, record, target_level, min_rank, policy, as_of)
        assessed = p.competency_assessed_on is not None and p.competency_assessed_on <= as_of
        target_jpm = jpm(p.competency_levels, target_standard) if assessed else None
        row: dict[str, Any] = {"failed": failed, "target_jpm": target_jpm, "completes": completes}
        if not failed:
            row |= {"score": _score(target_jpm, record, policy), "readiness": _readiness(target_jpm, time_met, policy)}
        rows.append(row)
    eligible = [index for index, row in enumerate(rows) if not row["failed"]]
    eligible.sort(
        key=lambda i: (
            -rows[i]["score"],
            -(people[i].rank_order or 0),
            people[i].rank_since or dt.date.max,
            people[i].nip,
        )
    )
    return {"rows": rows, "order": eligible}
