"""Request and response bodies of competency and potential assessments."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, field_validator

from services.common.dates import Day
from services.registry.assessments.rules import JpmBand
from services.registry.positions.competencies import CompetencyLevels
from services.registry.schemas import InputModel, RecordRead

Score = Annotated[float, Field(ge=0, le=100)]
StandardSource = Literal["position", "default"]


class CompetencyAssessmentCreate(InputModel):
    """Competency levels (1-5) found by an assessment on `assessed_on`; unknown codes are refused."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "assessed_on": "2025-03-14",
                    "levels": {"integritas": 4, "kerja_sama": 3, "komunikasi": 3, "orientasi_pada_hasil": 4},
                }
            ]
        }
    )

    assessed_on: Day
    levels: CompetencyLevels

    @field_validator("levels")
    @classmethod
    def _names_a_competency(cls, value: CompetencyLevels) -> CompetencyLevels:
        if not value.named():
            raise ValueError("name at least one competency")
        return value


class CompetencyAssessmentRead(RecordRead):
    """An assessment with its JPM against the person's current position's standard (DOMAIN.md).

    `standard_source` is `position` (the position's own standard) or `default` (the position has none, so the
    configured default table was used: a data-quality warning); null, with `jpm` null, when the person holds
    no position."""

    id: str
    nip: str
    assessed_on: dt.date
    levels: dict[str, int]
    jpm: float | None
    jpm_band: JpmBand | None
    standard_source: StandardSource | None
    standard: dict[str, int] | None
    position_id: str | None


class PotentialAspects(InputModel):
    """The 8 aspects of a potential test (PermenPANRB 20/2025 art. 17), each 0-100."""

    intellectual: Score
    interpersonal: Score
    self_awareness: Score
    critical_strategic_thinking: Score
    problem_solving: Score
    emotional_intelligence: Score
    growth_mindset: Score
    grit: Score


class PotentialAssessmentCreate(InputModel):
    """A potential test: an overall `score`, or the 8 `aspects` (the score is then their mean), or both agreeing."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"assessed_on": "2025-03-14", "score": 81.5}]})

    assessed_on: Day
    score: Score | None = None
    aspects: PotentialAspects | None = None


class PotentialAssessmentRead(RecordRead):
    """A potential assessment; `aspects` is null when only an overall score was recorded."""

    id: str
    nip: str
    assessed_on: dt.date
    score: float
    aspects: dict[str, float] | None
