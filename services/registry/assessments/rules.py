"""Assessment rules of DOMAIN.md: JPM and its mapping bands, the potential score from its aspects."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, get_args

JpmBand = Literal["optimal", "cukup_optimal", "kurang_optimal"]
PotentialAspect = Literal[
    "intellectual",
    "interpersonal",
    "self_awareness",
    "critical_strategic_thinking",
    "problem_solving",
    "emotional_intelligence",
    "growth_mindset",
    "grit",
]
POTENTIAL_ASPECTS: tuple[str, ...] = get_args(PotentialAspect)

# JPM mapping bands (Peraturan BKN 26/2019): lower bounds, highest first, compared to the unrounded JPM.
JPM_BANDS: tuple[tuple[float, str], ...] = (
    (90.0, "optimal"),
    (78.0, "cukup_optimal"),
    (float("-inf"), "kurang_optimal"),
)
JPM_CAP = 100.0
JPM_DECIMALS = 2


@dataclass(frozen=True)
class JpmResult:
    """A JPM as answered: rounded for display, banded on the unrounded value."""

    jpm: float
    band: str


def jpm(achieved: Mapping[str, int | None], standard: Mapping[str, int]) -> JpmResult:
    """Sum of achieved over sum of standard levels x 100, capped, over the competencies the standard names."""
    total_standard = sum(standard.values())
    if total_standard <= 0:
        raise ValueError("a competency standard names at least one competency at level 1 or more")
    total_achieved = sum(achieved.get(code) or 0 for code in standard)  # a missing level counts 0
    value = min(JPM_CAP, total_achieved / total_standard * 100)
    band = next(name for bound, name in JPM_BANDS if value >= bound)
    return JpmResult(round(value, JPM_DECIMALS), band)


# A client may send the mean rounded to 2 decimals: that is still "the same score".
POTENTIAL_SCORE_TOLERANCE = 0.005 + 1e-9


def potential_score(score: float | None, aspects: Mapping[str, float] | None) -> float:
    """The overall potential score: given, or the mean of the 8 aspects; ValueError when they disagree."""
    if aspects is None:
        if score is None:
            raise ValueError("give score or aspects")
        return score
    mean = sum(aspects[a] for a in POTENTIAL_ASPECTS) / len(POTENTIAL_ASPECTS)
    if score is not None and abs(score - mean) > POTENTIAL_SCORE_TOLERANCE:
        raise ValueError(f"score {score} is not the mean of the aspects ({mean:.3f})")
    return mean
