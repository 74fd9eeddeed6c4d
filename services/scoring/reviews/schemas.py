"""Request and response bodies of /v1/talent-reviews."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import ConfigDict, Field

from services.scoring.reviews.models import TalentReview
from services.scoring.schemas import InputModel, ReadModel

ReviewStatus = Literal["queued", "running", "completed", "failed"]


class ReviewCreate(InputModel):
    """Run a talent review of one agency for one period (a job: 202, then poll its Location)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"agency_id": "pemkab-lampung-barat", "period": 2025}]})

    agency_id: str | None = Field(
        default=None, max_length=100, description="Agency id or code; default the caller's own"
    )
    period: int = Field(ge=2000, le=2100, description="Review period Y (predikat of Y, inputs as of 31 Dec Y)")
    policy_id: str | None = Field(default=None, max_length=64, description="Default: permenpanrb-3-2020")
    policy_version: int | None = Field(
        default=None, ge=1, le=1_000_000_000, description="Default: the policy's latest version"
    )


class FinalizeRequest(InputModel):
    """The talent committee's decision (nomor SK); it locks the review."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"decree_number": "800/001/SK/2026", "approved_by": "Sekretaris Daerah"}]}
    )

    decree_number: str = Field(min_length=1, max_length=100)
    approved_by: str = Field(min_length=1, max_length=200)


class ReviewError(ReadModel):
    """Why the last attempt failed (kept while a retry is queued)."""

    code: str
    detail: str | None


class ReviewTimings(ReadModel):
    """Where a completed review's time went."""

    export_seconds: float | None
    compute_seconds: float | None
    write_seconds: float | None


class ReviewRead(ReadModel):
    """A review job and, once completed, its summary (counts per effective box, incomplete, talent pool)."""

    id: str
    agency_id: str
    period: int
    policy_id: str
    policy_version: int
    status: ReviewStatus
    progress: float = Field(ge=0, le=1)
    summary: dict[str, Any] | None
    rows_total: int | None
    attempts: int
    error: ReviewError | None
    timings: ReviewTimings | None
    created_at: dt.datetime
    created_by: str = Field(description="Who started the review")
    started_at: dt.datetime | None
    completed_at: dt.datetime | None
    finalized: bool
    finalized_at: dt.datetime | None
    finalized_by: str | None
    decree_number: str | None
    approved_by: str | None

    @classmethod
    def of(cls, review: TalentReview) -> ReviewRead:
        """The answer for a review row."""
        error = None if review.error_code is None else ReviewError(code=review.error_code, detail=review.error_detail)
        timings = None
        if review.export_seconds is not None:
            timings = ReviewTimings(
                export_seconds=review.export_seconds,
                compute_seconds=review.compute_seconds,
                write_seconds=review.write_seconds,
            )
        return cls(
            id=review.id,
            agency_id=review.agency_id,
            period=review.period,
            policy_id=review.policy_id,
            policy_version=review.policy_version,
            status=review.status,
            progress=review.progress,
            summary=review.summary,
            rows_total=review.rows_total,
            attempts=review.attempts,
            error=error,
            timings=timings,
            created_at=review.created_at,
            created_by=review.created_by,
            started_at=review.started_at,
            completed_at=review.completed_at,
            finalized=review.finalized_at is not None,
            finalized_at=review.finalized_at,
            finalized_by=review.finalized_by,
            decree_number=review.decree_number,
            approved_by=review.approved_by,
        )
