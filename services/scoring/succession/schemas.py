"""Response bodies of successors and the succession overview."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import Field

from services.scoring.schemas import ReadModel

Readiness = Literal["ready_now", "ready_1_2_years", "ready_3_plus_years"]


class SuccessorCandidate(ReadModel):
    """A ranked candidate and the reasons for their score and readiness."""

    rank: int
    nip: str
    name: str
    agency_id: str = Field(description="The candidate's agency (national positions draw on every agency)")
    score: float
    readiness: Readiness
    target_jpm: float | None = Field(description="JPM against the target position's standard")
    box: int = Field(description="Effective box in the review used")
    reasons: list[str]


class ExcludedCandidate(ReadModel):
    """Someone at a feeder level who fails a rule, with the rule codes."""

    nip: str
    rules: list[str]


class Successors(ReadModel):
    """The successor shortlist of a position (`excluded` only when asked for)."""

    position_id: str
    as_of: dt.date
    review_id: str | None = Field(description="The review whose talent data were used")
    review_ids: list[str] = Field(description="Every review used (one per agency for a national position)")
    policy_id: str
    policy_version: int
    shortlist_id: str = Field(description="The stored computation, kept with its inputs for later explanation")
    candidates: list[SuccessorCandidate]
    excluded: list[ExcludedCandidate] | None = None


class ReadinessCounts(ReadModel):
    """Eligible successors of a position by readiness."""

    ready_now: int
    ready_1_2_years: int
    ready_3_plus_years: int


class OverviewPosition(ReadModel):
    """A key position: its incumbent, their retirement date, and its successors by readiness."""

    position_id: str
    name: str
    level: str
    national: bool
    incumbent_nip: str | None
    incumbent_name: str | None
    incumbent_retirement_date: dt.date | None
    successors: ReadinessCounts | None = Field(description="null when the policy has no rule for the level")
    no_ready_successor: bool = Field(description="True when nobody is ready now")


class SuccessionOverview(ReadModel):
    """Every key position of an agency with its succession state."""

    agency_id: str
    as_of: dt.date
    review_id: str | None
    policy_id: str
    policy_version: int
    positions_without_ready_successor: int
    positions: list[OverviewPosition]


class StoredShortlist(ReadModel):
    """A shortlist as it was computed: the rule values, every candidate's terms and reasons, every exclusion."""

    id: str
    position_id: str
    agency_id: str
    as_of: dt.date
    review_id: str | None
    review_ids: list[str]
    policy_id: str
    policy_version: int
    created_at: dt.datetime
    created_by: str
    criteria: dict[str, Any]
    candidates: list[dict[str, Any]]
    excluded: list[ExcludedCandidate]
