"""Scoring policies: typed, immutable, versioned documents holding every number the rules use.

Read beside DOMAIN.md ("Policies", "The 9-box", "Potential", "Succession"). The built-ins are in
`builtin_policies.py`; `derive.derive` builds an agency's policy from one of them by overriding fields.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from types import MappingProxyType
from typing import Annotated, Any, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    field_serializer,
    model_validator,
)

from .codes import (
    EDUCATION,
    LEVELS,
    PREDIKAT,
    SANCTION_LEVELS,
    Education,
    EmploymentType,
    Level,
    PerformanceLevel,
    Predikat,
    SanctionLevel,
    rank_scale_and_order,
)

_WEIGHT_TOLERANCE = 1e-9
Weight = Annotated[float, Field(ge=0.0, le=1.0)]
Years = Annotated[int, Field(ge=0, le=100)]
Box = Annotated[int, Field(ge=1, le=9)]


class Frozen(BaseModel):
    """A policy part: unknown fields rejected, attributes and mappings read-only once built."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    @model_validator(mode="after")
    def _lock_mappings(self) -> Self:
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, dict):
                object.__setattr__(self, name, MappingProxyType(value))
        return self

    @field_serializer("*", mode="wrap")
    def _plain_mappings(self, value: Any, handler: SerializerFunctionWrapHandler) -> Any:
        return handler(dict(value) if isinstance(value, MappingProxyType) else value)


def _require_keys(mapping: Mapping[Any, Any], expected: tuple[Any, ...], what: str) -> None:
    missing = [key for key in expected if key not in mapping]
    if missing:
        raise ValueError(f"{what} lacks {', '.join(map(str, missing))}")


def _require_sum_one(weights: Mapping[str, float], what: str) -> None:
    total = math.fsum(weights.values())
    if abs(total - 1.0) > _WEIGHT_TOLERANCE:
        raise ValueError(f"{what} must sum to 1, not {total:g}")


class PredikatPerformance(Frozen):
    """Performance level read straight from the predikat of year Y (permenpanrb-3-2020)."""

    kind: Literal["predikat"] = "predikat"
    levels: Mapping[Predikat, PerformanceLevel]

    @model_validator(mode="after")
    def _complete(self) -> Self:
        _require_keys(self.levels, PREDIKAT, "performance.levels")
        return self


class PerformanceBands(Frozen):
    """Edges of a 0-100 performance score: below < meets_from <= meets < above_from <= above."""

    meets_from: float
    above_from: float

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if not self.meets_from < self.above_from:
            raise ValueError("performance bands must satisfy meets_from < above_from")
        return self


class WeightedPerformance(Frozen):
    """Performance score = w_p x predikat score / divisor + w_r x recognition, then banded (simata-2025)."""

    kind: Literal["weighted"] = "weighted"
    predikat_weight: Weight
    recognition_weight: Weight
    recognition_per_award: Annotated[float, Field(ge=0.0)]
    recognition_cap: Annotated[float, Field(ge=0.0)]
    award_lookback_years: Years
    bands: PerformanceBands

    @model_validator(mode="after")
    def _weights(self) -> Self:
        _require_sum_one({"p": self.predikat_weight, "r": self.recognition_weight}, "performance weights")
        return self


PerformanceRule = Annotated[PredikatPerformance | WeightedPerformance, Field(discriminator="kind")]


class PotentialWeights(Frozen):
    """Weights of the potential score's terms, in the order they are summed."""

    jpm: Weight
    potential_assessment: Weight
    qualification: Weight
    integrity: Weight

    @model_validator(mode="after")
    def _sum(self) -> Self:
        _require_sum_one(self.model_dump(), "potential_weights")
        return self


class PotentialBands(Frozen):
    """Edges of the potential score: low < medium_from <= medium < high_from <= high."""

    medium_from: float
    high_from: float

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if not self.medium_from < self.high_from:
            raise ValueError("potential bands must satisfy medium_from < high_from")
        return self


class JpmBands(Frozen):
    """JPM mapping bands: kurang_optimal < cukup_optimal_from <= cukup_optimal < optimal_from <= optimal."""

    cukup_optimal_from: float
    optimal_from: float

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if not self.cukup_optimal_from < self.optimal_from:
            raise ValueError("jpm bands must satisfy cukup_optimal_from < optimal_from")
        return self


class IntegrityRule(Frozen):
    """Integrity = max(floor, base - deduction per recent sanction); recent = in force or ended within lookback."""

    base: float
    deduction: Mapping[SanctionLevel, Annotated[float, Field(ge=0.0)]]
    lookback_years: Years
    floor: float

    @model_validator(mode="after")
    def _complete(self) -> Self:
        _require_keys(self.deduction, SANCTION_LEVELS, "integrity.deduction")
        return self


class BoxRow(Frozen):
    """One performance row of the 9-box: the box for each potential level."""

    low: Box
    medium: Box
    high: Box


class BoxTable(Frozen):
    """Performance x potential -> box; every box 1..9 appears exactly once."""

    above: BoxRow
    meets: BoxRow
    below: BoxRow

    @model_validator(mode="after")
    def _each_box_once(self) -> Self:
        boxes = sorted(box for row in (self.above, self.meets, self.below) for box in row.model_dump().values())
        if boxes != list(range(1, 10)):
            raise ValueError(f"box_table must hold each box 1..9 exactly once, found {boxes}")
        return self


class BoxInfo(Frozen):
    """What a box means and what to do about it, in Bahasa Indonesia and English."""

    label_id: str
    label_en: str
    recommendations_id: tuple[str, ...]
    recommendations_en: tuple[str, ...]


class SuccessionTargetRule(Frozen):
    """Who may succeed to a target level: feeder levels, time in them, default minimum rank, education."""

    feeder_levels: Annotated[tuple[Level, ...], Field(min_length=1)]
    min_years_in_level: Years
    default_min_rank: str
    min_education: Education | None

    @model_validator(mode="after")
    def _known_rank(self) -> Self:
        rank_scale_and_order(self.default_min_rank)
        return self


class RankingWeights(Frozen):
    """Weights of the successor ranking score's terms."""

    target_jpm: Weight
    box: Weight
    potential: Weight
    performance: Weight

    @model_validator(mode="after")
    def _sum(self) -> Self:
        _require_sum_one(self.model_dump(), "ranking_weights")
        return self


class ReadinessRule(Frozen):
    """Readiness edges on the target JPM, and how far ahead a short time in level may complete."""

    ready_now_min_jpm: float
    ready_1_2_years_min_jpm: float
    time_in_level_window_years: Years

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if not self.ready_1_2_years_min_jpm < self.ready_now_min_jpm:
            raise ValueError("readiness must satisfy ready_1_2_years_min_jpm < ready_now_min_jpm")
        return self


class SuccessionPolicy(Frozen):
    """Succession rules, ranking and shortlist (DOMAIN.md "Succession")."""

    targets: Mapping[Level, SuccessionTargetRule]
    max_age_at_appointment: Mapping[Level, Annotated[int, Field(ge=0, le=100)]]
    retirement_margin_years: Years
    discipline_lookback_years: Years
    min_predikat: Predikat
    excluded_employment_types: tuple[EmploymentType, ...]
    ranking_weights: RankingWeights
    box_points: Mapping[Box, Annotated[float, Field(ge=0.0, le=100.0)]]
    readiness: ReadinessRule
    shortlist_size: Annotated[int, Field(ge=1, le=500)]


class Policy(Frozen):
    """A complete scoring policy; identified by `id` and `version`, never changed once a review used it."""

    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")]
    version: Annotated[int, Field(ge=1)]
    name: str
    description: str = ""
    based_on: str | None = None
    performance: PerformanceRule
    predikat_scores: Mapping[Predikat, Annotated[float, Field(ge=0.0)]]
    predikat_score_divisor: Annotated[float, Field(gt=0.0)]
    potential_weights: PotentialWeights
    potential_bands: PotentialBands
    jpm_bands: JpmBands
    qualification_scores: Mapping[Education, float]
    integrity: IntegrityRule
    max_input_age_years: Years
    default_competency_standard: Mapping[Level, Annotated[int, Field(ge=1, le=5)]]
    box_table: BoxTable
    boxes: Mapping[Box, BoxInfo]
    talent_pool_boxes: Annotated[tuple[Box, ...], Field(min_length=1)]
    succession: SuccessionPolicy

    @model_validator(mode="after")
    def _complete_tables(self) -> Self:
        _require_keys(self.predikat_scores, PREDIKAT, "predikat_scores")
        scores = [self.predikat_scores[code] for code in PREDIKAT]
        if any(better <= worse for better, worse in itertools.pairwise(scores)):
            raise ValueError("predikat_scores must fall strictly from sangat_baik to sangat_kurang")
        _require_keys(self.qualification_scores, EDUCATION, "qualification_scores")
        _require_keys(self.default_competency_standard, LEVELS, "default_competency_standard")
        _require_keys(self.boxes, tuple(range(1, 10)), "boxes")
        if len(set(self.talent_pool_boxes)) != len(self.talent_pool_boxes):
            raise ValueError("talent_pool_boxes repeats a box")
        return self

    @property
    def ref(self) -> str:
        """`id@version`, how a review and a derived policy name this one."""
        return f"{self.id}@{self.version}"
