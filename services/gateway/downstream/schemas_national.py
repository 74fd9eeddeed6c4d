"""Public shapes of the national views: the talent pool, the national 9-box and the data-quality index."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

from services.gateway.downstream.schemas_registry import NIP, Rating
from services.gateway.downstream.schemas_talent import Level, Readiness


class AgencyName(BaseModel):
    id: str
    code: str = Field(examples=["pemkab-lampung-barat"])
    name: str
    region: str | None = Field(description="The agency's province", examples=["Lampung"])


class PoolReadiness(BaseModel):
    level: str = Field(description="The level asked for (`ready_for`)", examples=["jpt_pratama"])
    readiness: Readiness
    target_jpm: float | None = Field(description="JPM against that level's default competency standard")
    score: float = Field(description="The succession ranking score for that level")


class TalentPoolMember(BaseModel):
    nip: str = NIP
    name: str
    agency: AgencyName
    review_id: str
    period: int
    box: int = Field(ge=1, le=9, description="Effective box (the calibrated one where a calibration exists)")
    calibrated: bool
    potential_score: float | None
    potential_level: Level | None
    performance_level: Rating | None
    unit_id: str | None
    position_id: str | None
    position_type: str | None
    functional_level: str | None
    rank: str | None = Field(examples=["IV/a"])
    education_level: str | None
    readiness: PoolReadiness | None = Field(default=None, description="Only with `ready_for`")


class TalentPoolPage(BaseModel):
    items: list[TalentPoolMember]
    next_cursor: str | None = None
    review_ids: list[str] = Field(description="The latest finalized review of each agency in view")


class NationalNineBoxCell(BaseModel):
    box: int = Field(ge=1, le=9)
    count: int
    calibrated: int = Field(description="How many of `count` are there by calibration")
    performance_level: str
    potential_level: str
    in_talent_pool: bool
    label_id: str
    label_en: str
    recommendations: list[dict[str, str]]


class BoxCount(BaseModel):
    box: int = Field(ge=1, le=9)
    count: int


class AgencyNineBox(BaseModel):
    agency_id: str
    code: str
    name: str
    region: str | None
    review_id: str = Field(description="The agency's latest finalized review of the period")
    policy_id: str
    policy_version: int
    finalized_at: dt.datetime | None
    decree_number: str | None
    total: int
    placed: int
    incomplete: int
    talent_pool: int
    calibrated: int
    boxes: list[BoxCount]


class AwaitingDecree(BaseModel):
    agency_id: str
    code: str
    name: str
    review_id: str = Field(description="A completed review of the period that no decree finalized yet")


class NationalNineBox(BaseModel):
    period: int
    counted_by: Literal["effective_box"] = "effective_box"
    source: Literal["latest_finalized_review"] = "latest_finalized_review"
    agencies_counted: int
    total: int
    placed: int
    incomplete: int
    talent_pool: int
    calibrated: int
    boxes: list[NationalNineBoxCell] = Field(description="The national sum, all nine boxes, best first")
    agencies: list[AgencyNineBox]
    awaiting_decree: list[AwaitingDecree]


class Share(BaseModel):
    count: int
    share: float | None = Field(description="count / active people (null when nobody is active)")


class QualityBreakdown(BaseModel):
    no_predikat: Share
    no_competency_assessment: Share
    no_potential_assessment: Share
    stale_assessment: Share = Field(description="The latest competency or potential assessment is too old")
    stale_competency_assessment: Share
    stale_potential_assessment: Share
    no_position: Share
    position_without_standard: Share = Field(description="Scored with the default table: a warning, not missing")


class QualityCounts(BaseModel):
    active: int = Field(description="Employees not deleted and not retired on 31 December of the period")
    complete: int = Field(description="With a predikat, both assessments fresh enough, and a position")
    complete_share: float | None
    missing: QualityBreakdown


class AgencyQuality(QualityCounts):
    agency_id: str
    code: str
    name: str
    region: str | None


class QualityBasis(BaseModel):
    period: int
    as_of: dt.date
    max_age_years: int = Field(description="The maximum input age applied (default: the policy's)")
    stale_before: dt.date


class AgencyQualityReport(QualityBasis, AgencyQuality):
    pass


class NationalQualityReport(QualityBasis):
    totals: QualityCounts
    agencies: list[AgencyQuality]
