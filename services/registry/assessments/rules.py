"""Assessment rules of DOMAIN.md: the predikat matrix, JPM and its bands, potential aspects."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, get_args

Expectation = Literal["above", "meets", "below"]
Predikat = Literal["sangat_baik", "baik", "butuh_perbaikan", "kurang", "sangat_kurang"]
JpmBand = Literal["optimal", "cukup_optimal", "kurang_optimal"]
AwardLevel = Literal["agency", "regional", "national"]
SanctionLevel = Literal["ringan", "sedang", "berat"]
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

# PermenPANRB 6/2022: (hasil kerja, perilaku kerja) -> predikat kinerja.
PREDIKAT_MATRIX: dict[tuple[str, str], str] = {
    ("above", "below"): "kurang",
    ("above", "meets"): "baik",
    ("above", "above"): "sangat_baik",
    ("meets", "below"): "kurang",
    ("meets", "meets"): "baik",
    ("meets", "above"): "baik",
    ("below", "below"): "sangat_kurang",
    ("below", "meets"): "butuh_perbaikan",
    ("below", "above"): "butuh_perbaikan",
}
PREDIKAT_LABELS_ID: dict[str, str] = {
    "sangat_baik": "Sangat Baik",
    "baik": "Baik",
    "butuh_perbaikan": "Butuh Perbaikan",
    "kurang": "Kurang/Misconduct",
    "sangat_kurang": "Sangat Kurang",
}


def predikat(work_result: str, work_behavior: str) -> str:
    """The predikat kinerja for a year's work result and work behaviour ratings."""
    return PREDIKAT_MATRIX[(work_result, work_behavior)]


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
