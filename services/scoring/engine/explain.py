"""One person's placement explained step by step, as JSON-ready data; computed on demand, off the batch path.

It runs the same functions as `place` on a one-row slice, so the explanation cannot drift from the result.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .codes import COMPETENCIES, EDUCATION, LEVELS, PERFORMANCE_LEVELS, POTENTIAL_LEVELS, PREDIKAT, SANCTION_LEVELS
from .inputs import ScoringInputs
from .placement import POTENTIAL_TERMS, Components, PlacementColumns, components, missing_codes, place
from .policy import Policy, PredikatPerformance


def _number(value: Any) -> float | None:
    number = float(value)
    return None if math.isnan(number) else number


def _day(value: np.datetime64) -> str | None:
    return None if np.isnat(value) else str(value.astype("datetime64[D]"))


def _code(names: tuple[str, ...], code: Any) -> str | None:
    return names[int(code)] if int(code) >= 0 else None


def _edges(value: float | None, edges: dict[str, float]) -> list[dict[str, Any]]:
    """Each band edge, and whether the unrounded value reached it (edges are inclusive)."""
    return [
        {"edge": name, "value": edge, "reached": value is not None and value >= edge} for name, edge in edges.items()
    ]


def _term(name: str, value: float | None, weight: float) -> dict[str, Any]:
    return {"name": name, "value": value, "weight": weight, "weighted": None if value is None else weight * value}


def _competency(row: ScoringInputs, parts: Components, policy: Policy) -> dict[str, Any]:
    own = bool(row.competency_standard[0].any())
    level = int(row.level[0])
    if own:
        standard = {code: int(v) for code, v in zip(COMPETENCIES, row.competency_standard[0], strict=True) if v}
    elif level >= 0:
        standard = dict.fromkeys(COMPETENCIES, policy.default_competency_standard[LEVELS[level]])
    else:
        standard = {}
    jpm = _number(parts.terms["jpm"][0])
    bands = policy.jpm_bands
    band = None if jpm is None else ("optimal" if jpm >= bands.optimal_from else "cukup_optimal")
    if jpm is not None and jpm < bands.cukup_optimal_from:
        band = "kurang_optimal"
    return {
        "assessed_on": _day(row.competency_assessed_on[0]),
        "levels": {code: (int(v) or None) for code, v in zip(COMPETENCIES, row.competency_levels[0], strict=True)},
        "standard": standard,
        "standard_source": "position" if own else ("policy_default" if level >= 0 else None),
        "jpm": jpm,
        "jpm_band": band,
        "jpm_band_edges": _edges(jpm, bands.model_dump()),
    }


def _inputs(row: ScoringInputs, parts: Components, policy: Policy, period: int) -> dict[str, Any]:
    return {
        "predikat_y": {"year": period, "value": _code(PREDIKAT, row.predikat_y[0])},
        "predikat_y1": {"year": period - 1, "value": _code(PREDIKAT, row.predikat_y1[0])},
        "position_level": _code(LEVELS, row.level[0]),
        "position_since": _day(row.position_since[0]),
        "competency_assessment": _competency(row, parts, policy),
        "potential_assessment": {
            "assessed_on": _day(row.potential_assessed_on[0]),
            "score": _number(row.potential_score[0]),
        },
        "education_level": _code(EDUCATION, row.education[0]),
        "sanctions_recent": {
            level: int(getattr(row, f"{level}_recent")[0]) for level in SANCTION_LEVELS
        },  # in force, or ended within integrity.lookback_years
        "awards_recent": int(row.awards_recent[0]),
    }


def _performance(row: ScoringInputs, parts: Components, policy: Policy) -> dict[str, Any]:
    rule = policy.performance
    level = _code(PERFORMANCE_LEVELS, parts.performance_level[0])
    predikat = _code(PREDIKAT, row.predikat_y[0])
    if isinstance(rule, PredikatPerformance):
        return {"rule": "predikat", "predikat": predikat, "mapping": dict(rule.levels), "level": level}
    predikat_score = _number(parts.predikat_score[0])
    normalised = None if predikat_score is None else predikat_score / policy.predikat_score_divisor
    score = _number(parts.performance_score[0])
    return {
        "rule": "weighted",
        "predikat": predikat,
        "predikat_score": predikat_score,
        "predikat_score_divisor": policy.predikat_score_divisor,
        "terms": [
            _term("predikat", normalised, rule.predikat_weight),
            _term("recognition", _number(parts.recognition[0]), rule.recognition_weight),
        ],
        "score": score,
        "band_edges": _edges(score, rule.bands.model_dump()),
        "level": level,
    }


def _potential(parts: Components, policy: Policy) -> dict[str, Any]:
    weights = policy.potential_weights.model_dump()
    score = _number(parts.potential_score[0])
    return {
        "terms": [
            _term(name, _number(parts.terms[name][0]), weights[name]) for name in POTENTIAL_TERMS if weights[name] > 0
        ],
        "score": score,
        "band_edges": _edges(score, policy.potential_bands.model_dump()),
        "level": _code(POTENTIAL_LEVELS, parts.potential_level[0]),
    }


def _box(placement: PlacementColumns, policy: Policy) -> dict[str, Any] | None:
    box = int(placement.box[0])
    if box == 0:
        return None
    info = policy.boxes[box]
    return {
        "performance_level": PERFORMANCE_LEVELS[int(placement.performance_level[0])],
        "potential_level": POTENTIAL_LEVELS[int(placement.potential_level[0])],
        "box": box,
        "label_id": info.label_id,
        "label_en": info.label_en,
        "recommendations_id": list(info.recommendations_id),
        "recommendations_en": list(info.recommendations_en),
        "in_talent_pool": bool(placement.in_talent_pool[0]),
        "talent_pool_boxes": list(policy.talent_pool_boxes),
    }


def explain(inputs: ScoringInputs, index: int, policy: Policy, period: int) -> dict[str, Any]:
    """Why row `index` got its placement: inputs with dates, weighted terms, band edges, box cell, warnings."""
    row = inputs.take(np.array([index]))
    parts = components(row, policy, period)
    placement = place(row, policy, period)
    warnings = []
    if parts.jpm_default_standard[0]:
        warnings.append(
            {
                "code": "jpm_default_standard",
                "message": "The position has no competency standard; JPM used the policy's default for its level.",
            }
        )
    return {
        "policy": {"id": policy.id, "version": policy.version},
        "period": period,
        "period_end": _day(parts.period_end),
        "max_input_age_years": policy.max_input_age_years,
        "oldest_input_allowed": _day(parts.oldest_allowed),
        "status": "placed" if placement.placed[0] else "incomplete",
        "missing": missing_codes(int(placement.missing[0])),
        "inputs": _inputs(row, parts, policy, period),
        "performance": _performance(row, parts, policy),
        "potential": _potential(parts, policy),
        "box": _box(placement, policy),
        "warnings": warnings,
    }
