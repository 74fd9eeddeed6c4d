"""Request and response bodies of placements, calibrations, the 9-box and a person's talent history."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import ConfigDict, Field

from services.scoring.placements.models import Calibration
from services.scoring.schemas import InputModel, ReadModel

PlacementStatus = Literal["placed", "incomplete"]


class CalibrationCreate(InputModel):
    """A person's decision to place someone in another box, and why (the engine's box stays visible)."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"box": 8, "reason": "Kinerja 2025 dinilai ulang oleh tim penilai kinerja"}]}
    )

    box: int = Field(ge=1, le=9)
    reason: str = Field(min_length=3, max_length=2000)


class CalibrationRead(ReadModel):
    """One calibration of a placement."""

    id: str
    box: int
    previous_box: int | None = Field(description="The effective box before this calibration")
    reason: str
    calibrated_by: str
    calibrated_at: dt.datetime

    @classmethod
    def of(cls, calibration: Calibration) -> CalibrationRead:
        """The answer for a calibration row."""
        return cls(
            id=calibration.id,
            box=calibration.box,
            previous_box=calibration.previous_box,
            reason=calibration.reason,
            calibrated_by=calibration.created_by,
            calibrated_at=calibration.created_at,
        )


class PlacementRead(ReadModel):
    """A person's placement: the engine's result (`box`), the calibration if any, and why (`explanation`)."""

    review_id: str
    nip: str
    name: str
    unit_id: str | None
    position_id: str | None
    status: PlacementStatus
    box: int | None = Field(description="The engine's box (1-9), null when incomplete")
    effective_box: int | None = Field(description="The calibrated box where there is one, else `box`")
    performance_level: Literal["above", "meets", "below"] | None
    potential_level: Literal["low", "medium", "high"] | None
    potential_score: float | None
    performance_score: float | None = Field(description="Weighted-performance policies only")
    jpm: float | None
    in_talent_pool: bool = Field(description="By the effective box")
    missing: list[str]
    explanation: dict[str, Any] = Field(description="The inputs and rule steps that produced `box`")
    calibrated_box: int | None
    calibration: CalibrationRead | None = Field(description="The latest calibration")
    calibrations: list[CalibrationRead] | None = Field(
        default=None, description="Every calibration, oldest first (single placement only)"
    )


class NineBoxRecommendation(ReadModel):
    """A recommended follow-up for a box."""

    label_id: str
    label_en: str


class NineBoxCell(ReadModel):
    """One box of the grid with its count (by effective box)."""

    box: int
    count: int
    calibrated: int = Field(description="How many of `count` are there by calibration")
    performance_level: str
    potential_level: str
    in_talent_pool: bool
    label_id: str
    label_en: str
    recommendations: list[NineBoxRecommendation]


class NineBox(ReadModel):
    """The 9-box of a review: all nine boxes, zero counts included, calibrated boxes counted as calibrated."""

    review_id: str
    policy_id: str
    policy_version: int
    total: int
    placed: int
    incomplete: int
    talent_pool: int
    calibrated: int = Field(description="Placements counted in their calibrated box, not the engine's")
    counted_by: Literal["effective_box"] = "effective_box"
    boxes: list[NineBoxCell]


class TalentHistoryEntry(ReadModel):
    """A person's placement in one completed review."""

    review_id: str
    agency_id: str
    period: int
    policy_id: str
    policy_version: int
    completed_at: dt.datetime | None
    finalized: bool
    decree_number: str | None
    status: PlacementStatus
    box: int | None
    calibrated_box: int | None
    effective_box: int | None
    in_talent_pool: bool


class EmployeeTalent(ReadModel):
    """A person's latest placement (from the most recently completed review) and their history."""

    nip: str
    latest: PlacementRead | None
    history: list[TalentHistoryEntry]
