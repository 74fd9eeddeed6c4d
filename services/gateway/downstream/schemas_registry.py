"""Public shapes of the registry's resources, written from API.md (documentation of forwarded answers)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

EmploymentType = Literal["pns", "pppk", "cpns"]
Education = Literal["sd", "smp", "sma", "d1", "d2", "d3", "d4", "s1", "s2", "s3"]
PositionType = Literal["jpt_utama", "jpt_madya", "jpt_pratama", "administrator", "pengawas", "pelaksana", "fungsional"]
FunctionalLevel = Literal[
    "ahli_pertama", "ahli_muda", "ahli_madya", "ahli_utama", "pemula", "terampil", "mahir", "penyelia"
]
Rating = Literal["above", "meets", "below"]
NIP = Field(description="18-digit NIP", examples=["198609262015051001"], pattern=r"^\d{18}$")
AGENCY_REF = Field(description="Agency id or code", examples=["pemkab-lampung-barat"])


class Input(BaseModel):
    """Inputs refuse unknown fields."""

    model_config = ConfigDict(extra="forbid")


class AgencyRead(BaseModel):
    id: str
    code: str = Field(examples=["pemkab-lampung-barat"])
    name: str = Field(examples=["Pemerintah Kabupaten Lampung Barat"])
    region: str | None = Field(default=None, examples=["Lampung"])


class AgencyCreate(Input):
    code: str = Field(examples=["pemkab-lampung-barat"])
    name: str
    region: str | None = None


class AgencyUpdate(Input):
    code: str | None = None
    name: str | None = None


class UnitRead(BaseModel):
    id: str
    agency_id: str
    parent_id: str | None
    name: str = Field(examples=["Badan Kepegawaian dan Pengembangan SDM"])


class UnitCreate(Input):
    name: str
    parent_id: str | None = None


class UnitUpdate(Input):
    name: str | None = None
    parent_id: str | None = None


class PositionRead(BaseModel):
    id: str
    agency_id: str
    unit_id: str | None
    name: str = Field(examples=["Kepala Badan Kepegawaian"])
    position_type: PositionType
    functional_level: FunctionalLevel | None
    is_key: bool
    competency_standard: dict[str, int] = Field(examples=[{"integritas": 4, "kerja_sama": 4}])
    min_rank: str | None = Field(examples=["IV/b"])


class PositionCreate(Input):
    agency_id: str = AGENCY_REF
    unit_id: str | None = None
    name: str
    position_type: PositionType
    functional_level: FunctionalLevel | None = None
    is_key: bool = False
    competency_standard: dict[str, int] = {}
    min_rank: str | None = None


class PositionUpdate(Input):
    unit_id: str | None = None
    name: str | None = None
    position_type: PositionType | None = None
    functional_level: FunctionalLevel | None = None
    is_key: bool | None = None
    competency_standard: dict[str, int] | None = None
    min_rank: str | None = None


class EmployeeRead(BaseModel):
    """A civil servant; `email` and `phone` are absent in minimised answers."""

    nip: str = NIP
    name: str = Field(examples=["Andi Saputra, S.Kom."])
    employment_type: EmploymentType
    agency_id: str
    unit_id: str | None
    position_id: str | None
    position_since: dt.date | None
    rank: str | None = Field(examples=["III/c"])
    rank_since: dt.date | None
    education_level: Education | None
    email: str | None = None
    phone: str | None = None
    birth_date: dt.date = Field(description="Derived from the NIP")
    gender: Literal["male", "female"] = Field(description="Derived from the NIP")
    retirement_date: dt.date | None = Field(description="Derived: BUP of the position level")


class EmployeeCreate(Input):
    nip: str = NIP
    name: str
    employment_type: EmploymentType
    agency_id: str = AGENCY_REF
    unit_id: str | None = None
    position_id: str | None = None
    position_since: dt.date | None = None
    level_since: dt.date | None = Field(default=None, description="Start of continuous time at this level")
    rank: str | None = None
    rank_since: dt.date | None = None
    education_level: Education | None = None
    email: str | None = None
    phone: str | None = None
    birth_date: dt.date | None = Field(default=None, description="Optional; 422 if it differs from the NIP")
    gender: Literal["male", "female"] | None = None


class EmployeeUpdate(Input):
    name: str | None = None
    employment_type: EmploymentType | None = None
    unit_id: str | None = None
    position_id: str | None = None
    position_since: dt.date | None = None
    rank: str | None = None
    rank_since: dt.date | None = None
    education_level: Education | None = None
    email: str | None = None
    phone: str | None = None


class TransferCreate(Input):
    agency_id: str = AGENCY_REF
    unit_id: str | None = None
    position_id: str | None = None
    effective_on: dt.date


class PerformanceRatingPut(Input):
    work_result: Rating
    work_behavior: Rating


class PerformanceRatingRead(BaseModel):
    year: int = Field(examples=[2025])
    work_result: Rating
    work_behavior: Rating
    predikat: Literal["sangat_baik", "baik", "butuh_perbaikan", "kurang", "sangat_kurang"]


class CompetencyAssessmentCreate(Input):
    assessed_on: dt.date
    levels: dict[str, int] = Field(examples=[{"integritas": 3, "kerja_sama": 4}], description="Each 1 to 5")


class CompetencyAssessmentRead(BaseModel):
    id: str
    assessed_on: dt.date
    levels: dict[str, int]
    jpm: float = Field(examples=[86.67], description="Job-person match against the current position's standard")
    jpm_band: Literal["optimal", "cukup_optimal", "kurang_optimal"]


class PotentialAssessmentCreate(Input):
    assessed_on: dt.date
    score: float | None = Field(default=None, ge=0, le=100)
    aspects: dict[str, float] | None = Field(default=None, description="The 8 aspect codes of DOMAIN.md, 0-100")


class PotentialAssessmentRead(BaseModel):
    id: str
    assessed_on: dt.date
    score: float
    aspects: dict[str, float] | None = None


class AwardCreate(Input):
    awarded_on: dt.date
    name: str
    level: Literal["agency", "regional", "national"]


class AwardRead(AwardCreate):
    id: str


class DisciplinaryActionCreate(Input):
    level: Literal["ringan", "sedang", "berat"]
    starts_on: dt.date
    ends_on: dt.date
    reason: str


class DisciplinaryActionRead(DisciplinaryActionCreate):
    id: str


class HistoryEntry(BaseModel):
    kind: Literal["rank", "position", "education", "training"]
    valid_from: dt.date | None
    valid_to: dt.date | None
    value: dict[str, object]


class EmployeeHistory(BaseModel):
    nip: str = NIP
    entries: list[HistoryEntry]


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
