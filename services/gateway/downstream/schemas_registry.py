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
    code: str | None = None
    created_at: dt.datetime
    updated_at: dt.datetime


class UnitCreate(Input):
    name: str
    code: str | None = None
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
    level: str = Field(description="functional_level for fungsional, else position_type", examples=["administrator"])
    is_key: bool
    national: bool = Field(default=False, description="Successors are drawn from every agency")
    competency_standard: dict[str, int] | None = Field(examples=[{"integritas": 4, "kerja_sama": 4}])
    min_rank: str | None = Field(examples=["IV/b"])
    created_at: dt.datetime
    updated_at: dt.datetime


class PositionCreate(Input):
    agency_id: str = AGENCY_REF
    unit_id: str | None = None
    name: str
    position_type: PositionType
    functional_level: FunctionalLevel | None = None
    is_key: bool = False
    national: bool = False
    competency_standard: dict[str, int] | None = None
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
    level_since: dt.date | None = Field(default=None, description="Start of continuous time at this level")
    source: str | None = Field(default=None, examples=["api", "import", "siasn"])
    source_fetched_at: dt.datetime | None = None
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None


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
