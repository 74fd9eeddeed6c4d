"""Response bodies of the talent pool."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from services.scoring.schemas import ReadModel

Readiness = Literal["ready_now", "ready_1_2_years", "ready_3_plus_years"]


class AgencyName(ReadModel):
    """The agency a person belongs to (in the review their placement is from)."""

    id: str
    code: str
    name: str
    region: str | None


class PoolReadiness(ReadModel):
    """How ready a pool member is for a position of the level asked (`ready_for`)."""

    level: str
    readiness: Readiness
    target_jpm: float | None = Field(description="JPM against that level's default competency standard")
    score: float = Field(description="The succession ranking score for that level")


class TalentPoolMember(ReadModel):
    """A person in the talent pool (effective box in the pool boxes) of their agency's latest finalized review."""

    nip: str
    name: str
    agency: AgencyName
    review_id: str
    period: int
    box: int = Field(description="Effective box: the calibrated one where a calibration exists")
    calibrated: bool = Field(description="True when a calibration set the box")
    potential_score: float | None
    potential_level: Literal["low", "medium", "high"] | None
    performance_level: Literal["below", "meets", "above"] | None
    unit_id: str | None
    position_id: str | None
    position_type: str | None
    functional_level: str | None
    rank: str | None = Field(examples=["IV/a", "IX"])
    education_level: str | None
    readiness: PoolReadiness | None = Field(default=None, description="Only with `ready_for`")


class TalentPoolPage(ReadModel):
    """A page of the pool (box, potential score, NIP: all descending) and the reviews it draws on."""

    items: list[TalentPoolMember]
    next_cursor: str | None = None
    review_ids: list[str] = Field(description="The latest finalized review of each agency in view")
