"""Public shapes of an employee's records (ratings, assessments, awards, sanctions, history) and of jobs."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

from services.gateway.downstream.schemas_registry import AGENCY_REF, NIP, EmployeeRead, Input, Rating


class Provenance(BaseModel):
    """Where a record came from (`manual`, `import`, `siasn`), who recorded it and when; `source_fetched_at`:
    when a SIASN sync fetched it (null for manual and imported records)."""

    source: str = Field(examples=["manual"])
    source_fetched_at: dt.datetime | None = None
    recorded_at: dt.datetime
    recorded_by: str


class TransferCreate(Input):
    agency_id: str = AGENCY_REF
    unit_id: str | None = None
    position_id: str | None = None
    effective_on: dt.date


class PerformanceRatingPut(Input):
    work_result: Rating
    work_behavior: Rating


class PerformanceRatingRead(Provenance):
    nip: str = NIP
    year: int = Field(examples=[2025])
    work_result: Rating
    work_behavior: Rating
    predikat: Literal["sangat_baik", "baik", "butuh_perbaikan", "kurang", "sangat_kurang"]
    version: int | None = None
    superseded_at: dt.datetime | None = None


class CompetencyAssessmentCreate(Input):
    assessed_on: dt.date
    levels: dict[str, int] = Field(examples=[{"integritas": 3, "kerja_sama": 4}], description="Each 1 to 5")


class CompetencyAssessmentRead(Provenance):
    id: str
    nip: str = NIP
    assessed_on: dt.date
    levels: dict[str, int]
    jpm: float | None = Field(examples=[86.67], description="Job-person match against the position's standard")
    jpm_band: Literal["optimal", "cukup_optimal", "kurang_optimal"] | None
    standard_source: str | None = Field(default=None, description="position (its own standard) or default")
    standard: dict[str, int] | None = None
    position_id: str | None = None


class PotentialAssessmentCreate(Input):
    assessed_on: dt.date
    score: float | None = Field(default=None, ge=0, le=100)
    aspects: dict[str, float] | None = Field(default=None, description="The 8 aspect codes of DOMAIN.md, 0-100")


class PotentialAssessmentRead(Provenance):
    id: str
    nip: str = NIP
    assessed_on: dt.date
    score: float
    aspects: dict[str, float] | None = None


class AwardCreate(Input):
    awarded_on: dt.date
    name: str
    level: Literal["agency", "regional", "national"]


class AwardRead(Provenance):
    # Not an AwardCreate: inputs refuse unknown fields, and an answer carries more than was sent.
    id: str
    nip: str = NIP
    awarded_on: dt.date
    name: str
    level: Literal["agency", "regional", "national"]


class DisciplinaryActionCreate(Input):
    level: Literal["ringan", "sedang", "berat"]
    starts_on: dt.date
    ends_on: dt.date
    reason: str | None = None


class DisciplinaryActionRead(Provenance):
    id: str
    nip: str = NIP
    level: Literal["ringan", "sedang", "berat"]
    starts_on: dt.date
    ends_on: dt.date
    reason: str | None = None
    in_force: bool = Field(description="In force today (Asia/Jakarta)")


class HistoryRow(Provenance):
    id: str
    valid_from: dt.date
    valid_to: dt.date | None = Field(description="Null: current")


class RankHistory(HistoryRow):
    rank: str = Field(examples=["III/c"])
    rank_order: int


class PositionHistory(HistoryRow):
    agency_id: str
    unit_id: str | None
    position_id: str
    level: str


class EducationHistory(HistoryRow):
    level: str
    institution: str | None
    major: str | None
    graduated_on: dt.date | None


class TrainingHistory(HistoryRow):
    name: str
    hours: int | None
    completed_on: dt.date


class EmployeeHistory(BaseModel):
    nip: str = NIP
    ranks: list[RankHistory]
    positions: list[PositionHistory]
    education: list[EducationHistory]
    trainings: list[TrainingHistory]


class TransferRead(BaseModel):
    nip: str = NIP
    from_agency_id: str
    agency_id: str
    effective_on: dt.date
    employee: EmployeeRead


class Job(BaseModel):
    """A long-running job (import, SIASN sync, review run); poll its `Location`."""

    id: str
    status: Literal["queued", "running", "completed", "failed"]
    progress: float = Field(ge=0, le=1)


class ImportRowError(BaseModel):
    row: int = Field(examples=[12])
    field: str | None = Field(examples=["nip"])
    message: str


class ImportJob(Job):
    kind: str = Field(examples=["employees"])
    mode: Literal["atomic", "partial"]
    agency_id: str | None = None
    rows_total: int | None = None
    rows_written: int | None = None
    errors: list[ImportRowError] = []


class ImportUpload(BaseModel):
    """multipart/form-data fields of an import."""

    file: bytes = Field(json_schema_extra={"format": "binary"}, description="CSV or NDJSON")
    kind: Literal[
        "employees",
        "units",
        "positions",
        "performance-ratings",
        "competency-assessments",
        "potential-assessments",
        "disciplinary-actions",
        "awards",
    ]
    agency_id: str = AGENCY_REF
    mode: Literal["atomic", "partial"] = "atomic"


class SyncCreate(Input):
    nips: list[str] | None = None
    agency_id: str | None = None


class SyncJob(Job):
    nips: list[str] | None = None
    agency_id: str | None = None
    errors: list[dict[str, object]] = []
