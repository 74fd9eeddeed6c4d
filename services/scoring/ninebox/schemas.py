"""Response bodies of the national 9-box."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from services.scoring.placements.schemas import NineBoxCell
from services.scoring.schemas import ReadModel


class BoxCount(ReadModel):
    """One box of an agency's grid."""

    box: int
    count: int


class AgencyNineBox(ReadModel):
    """One agency's 9-box, from its latest finalized review of the period (counted by effective box)."""

    agency_id: str
    code: str
    name: str
    region: str | None
    review_id: str
    policy_id: str
    policy_version: int
    finalized_at: dt.datetime | None
    decree_number: str | None
    total: int
    placed: int
    incomplete: int
    talent_pool: int = Field(description="In the pool boxes of the review's own policy")
    calibrated: int
    boxes: list[BoxCount] = Field(description="All nine boxes, best first, zero counts included")


class AwaitingDecree(ReadModel):
    """An agency with a completed review of the period that no decree has finalized yet (not counted)."""

    agency_id: str
    code: str
    name: str
    review_id: str


class NationalNineBox(ReadModel):
    """The distribution over the nine boxes across agencies, and each agency's own grid."""

    period: int
    counted_by: Literal["effective_box"] = "effective_box"
    source: Literal["latest_finalized_review"] = Field(
        default="latest_finalized_review",
        description="Each agency's latest review of the period finalized by its talent committee's decree",
    )
    agencies_counted: int
    total: int
    placed: int
    incomplete: int
    talent_pool: int
    calibrated: int
    boxes: list[NineBoxCell] = Field(description="The national sum, labelled by the default policy")
    agencies: list[AgencyNineBox]
    awaiting_decree: list[AwaitingDecree]
