"""Request and response bodies of /v1/employees (keyed by NIP)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import ConfigDict, Field, JsonValue, field_validator
from pydantic_core import PydanticCustomError

from services.common.dates import Day
from services.registry.employees.rules import EducationLevel, EmploymentType, Gender, InvalidNip, parse_nip
from services.registry.schemas import InputModel, PatchModel, ReadModel, RecordRead

Name = Annotated[str, Field(min_length=1, max_length=200, examples=["Rina Marlina, S.Pd."])]
Rank = Annotated[str, Field(min_length=1, max_length=8, examples=["III/c"], description='PNS "III/c"; PPPK "IX"')]
Email = Annotated[
    str, Field(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", examples=["rina.marlina@lampungbaratkab.go.id"])
]
Phone = Annotated[str, Field(max_length=32, pattern=r"^\+?[0-9][0-9 ()-]{5,30}$", examples=["081234567890"])]
Ref = Annotated[str, Field(max_length=100)]

_EXAMPLE: dict[str, JsonValue] = {
    "nip": "198609262015051001",
    "name": "Andi Saputra, S.Kom.",
    "employment_type": "pns",
    "agency_id": "pemkab-lampung-barat",
    "unit_id": "0196b5f0-7c1e-7a4b-9c1d-2f3e4a5b6c7d",
    "position_id": "0196b5f0-8d2f-7b5c-8d2e-3f4a5b6c7d8e",
    "position_since": "2021-01-04",
    "rank": "III/c",
    "rank_since": "2023-04-01",
    "education_level": "s1",
    "email": "andi.saputra@lampungbaratkab.go.id",
}


def check_nip(value: str) -> str:
    """A NIP that passes every rule of DOMAIN.md; the error message names the rule broken."""
    try:
        parse_nip(value)
    except InvalidNip as exc:
        raise PydanticCustomError("invalid_nip", str(exc)) from None
    return value


class EmployeeCreate(InputModel):
    """A new employee. Birth date and gender come from the NIP; if given, they must agree with it."""

    model_config = ConfigDict(json_schema_extra={"examples": [_EXAMPLE]})

    nip: str = Field(description="18 digits: birth date, TMT CPNS, gender digit, sequence")
    name: Name
    employment_type: EmploymentType
    agency_id: Ref | None = Field(default=None, description="Id or code; defaults to the caller's own agency")
    unit_id: Ref | None = Field(default=None, description="Defaults to the position's unit")
    position_id: Ref | None = None
    position_since: Day | None = Field(default=None, description="Defaults to today when a position is given")
    level_since: Day | None = Field(default=None, description="Start of continuous time at this position level")
    rank: Rank | None = None
    rank_since: Day | None = None
    education_level: EducationLevel | None = None
    email: Email | None = None
    phone: Phone | None = None
    birth_date: Day | None = None
    gender: Gender | None = None

    _nip = field_validator("nip")(check_nip)


class EmployeeUpdate(PatchModel):
    """The fields to change. A new position, rank or education level closes the current history row and opens
    a new one dated `position_since` / `rank_since` (default today)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"rank": "III/d", "rank_since": "2025-04-01"}]})
    NOT_NULL = frozenset(
        {"name", "employment_type", "rank", "education_level", "birth_date", "gender", "position_since", "rank_since"}
    )

    name: Name | None = None
    employment_type: EmploymentType | None = None
    unit_id: Ref | None = None
    position_id: Ref | None = Field(default=None, description="null: the person holds no position any more")
    position_since: Day | None = Field(default=None, description="Only with a new position_id")
    level_since: Day | None = None
    rank: Rank | None = None
    rank_since: Day | None = Field(default=None, description="Only with a new rank")
    education_level: EducationLevel | None = None
    email: Email | None = None
    phone: Phone | None = None
    birth_date: Day | None = None
    gender: Gender | None = None


class TransferCreate(InputModel):
    """Move a person to a position of another agency (national callers only); history moves with them."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "agency_id": "pemkab-tanggamus",
                    "unit_id": "0196…",
                    "position_id": "0196…",
                    "effective_on": "2026-01-02",
                }
            ]
        }
    )

    agency_id: Ref
    unit_id: Ref | None = Field(default=None, description="Defaults to the position's unit")
    position_id: Ref
    effective_on: Day


class EmployeeReadMinimised(ReadModel):
    """An employee without e-mail and phone: the answer for callers not entitled to personal data."""

    nip: str
    name: str
    employment_type: EmploymentType
    agency_id: str
    unit_id: str | None
    position_id: str | None
    position_since: dt.date | None
    level_since: dt.date | None
    rank: str | None
    rank_since: dt.date | None
    education_level: EducationLevel | None
    birth_date: dt.date
    gender: Gender
    retirement_date: dt.date
    source: str
    source_fetched_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime


class EmployeeRead(EmployeeReadMinimised):
    """An employee; `birth_date`, `gender` and `retirement_date` are derived (NIP, position level, BUP).
    Minimised answers (callers without personal-data rights) leave out `email` and `phone`."""

    email: str | None = None
    phone: str | None = None


class TransferRead(ReadModel):
    """A completed transfer: where the person came from, and their record now."""

    nip: str
    from_agency_id: str
    agency_id: str
    effective_on: dt.date
    employee: EmployeeRead | EmployeeReadMinimised


class HistoryRead(RecordRead):
    """Dating and provenance of one history row (`valid_to` null: current; exclusive end)."""

    id: str
    valid_from: dt.date
    valid_to: dt.date | None


class RankHistoryRead(HistoryRead):
    """A rank held."""

    rank: str
    rank_order: int


class PositionHistoryRead(HistoryRead):
    """A position held, in an agency and unit, at a level."""

    agency_id: str
    unit_id: str | None
    position_id: str
    level: str


class EducationHistoryRead(HistoryRead):
    """An education level attained."""

    level: str
    institution: str | None
    major: str | None
    graduated_on: dt.date | None


class TrainingHistoryRead(HistoryRead):
    """A training completed."""

    name: str
    hours: int | None
    completed_on: dt.date


class EmployeeHistory(ReadModel):
    """A person's dated histories, oldest first."""

    nip: str
    ranks: list[RankHistoryRead]
    positions: list[PositionHistoryRead]
    education: list[EducationHistoryRead]
    trainings: list[TrainingHistoryRead]
