"""Public shapes of scoring's resources (policies, reviews, placements, succession), from API.md."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field

from services.gateway.downstream.schemas_records import Job
from services.gateway.downstream.schemas_registry import NIP, Input, Rating

Level = Literal["low", "medium", "high"]
Readiness = Literal["ready_now", "ready_1_2_years", "ready_3_plus_years"]


class ScoringPolicyRead(BaseModel):
    id: str = Field(examples=["permenpanrb-3-2020"])
    version: int
    name: str
    derived_from: str | None = None
    document: dict[str, Any] = Field(description="Weights, bands, maximum input age, box labels ...")


class ScoringPolicyCreate(Input):
    derive_from: str = Field(examples=["permenpanrb-3-2020"])
    name: str
    overrides: dict[str, Any] = Field(default={}, description="Policy values to change")


class TalentReviewCreate(Input):
    agency_id: str = Field(examples=["pemkab-lampung-barat"], description="Agency id or code")
    period: int = Field(examples=[2025])
    policy_id: str | None = None


class TalentReviewRead(Job):
    agency_id: str
    period: int
    policy_id: str
    policy_version: int
    summary: dict[str, Any] | None = Field(default=None, description="Counts per box, incomplete, talent pool")
    finalized: bool = False
    decree_number: str | None = None


class Calibration(BaseModel):
    box: int = Field(ge=1, le=9)
    reason: str
    calibrated_by: str | None = None
    calibrated_at: dt.datetime | None = None


class PlacementRead(BaseModel):
    nip: str = NIP
    name: str
    status: Literal["placed", "incomplete"]
    box: int | None = Field(ge=1, le=9)
    performance_level: Rating | None
    potential_level: Level | None
    potential_score: float | None
    in_talent_pool: bool
    missing: list[str] = Field(examples=[["potential_assessment", "stale_competency_assessment"]])
    explanation: dict[str, Any] = Field(description="The inputs and rule steps that produced the result")
    calibrated_box: int | None = None
    calibration: Calibration | None = None


class NineBoxCell(BaseModel):
    box: int = Field(ge=1, le=9)
    count: int
    label_id: str = Field(examples=["Bintang"])
    label_en: str = Field(examples=["Star"])
    recommendations: list[dict[str, str]] | list[str]


class NineBox(BaseModel):
    total: int
    incomplete: int
    calibrated: int = Field(default=0, description="Placements counted in their calibrated box")
    boxes: list[NineBoxCell]


class CalibrationCreate(Input):
    box: int = Field(ge=1, le=9, examples=[8])
    reason: str


class FinalizeRequest(Input):
    decree_number: str = Field(examples=["800/123/KPTS/2025"])
    approved_by: str


class SuccessorCandidate(BaseModel):
    rank: int
    nip: str = NIP
    name: str
    agency_id: str = Field(description="The candidate's agency (a national position draws on every agency)")
    score: float
    readiness: Readiness
    target_jpm: float | None = Field(description="JPM against the target position's standard")
    box: int
    reasons: list[str]


class ExcludedCandidate(BaseModel):
    nip: str = NIP
    rules: list[str] = Field(examples=[["time_in_level", "min_rank"]])


class Successors(BaseModel):
    position_id: str
    as_of: dt.date
    review_id: str | None
    candidates: list[SuccessorCandidate]
    excluded: list[ExcludedCandidate] | None = None


class SuccessionPosition(BaseModel):
    position_id: str
    name: str
    incumbent_nip: str | None
    incumbent_name: str | None = None
    incumbent_retirement_date: dt.date | None
    successors: dict[Readiness, int] | None = Field(description="By readiness; null when the policy has no rule")


class SuccessionOverview(BaseModel):
    agency_id: str
    review_id: str | None = None
    positions: list[SuccessionPosition]


class TalentHistoryEntry(BaseModel):
    review_id: str
    period: int
    box: int | None
    calibrated_box: int | None = None
    status: Literal["placed", "incomplete"]


class EmployeeTalent(BaseModel):
    nip: str = NIP
    latest: PlacementRead | None
    history: list[TalentHistoryEntry]
