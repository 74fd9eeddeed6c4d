"""Request and response bodies of /v1/positions."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import ConfigDict, Field, JsonValue, field_validator

from services.registry.employees.rules import PNS_RANKS
from services.registry.positions.competencies import CompetencyLevels
from services.registry.positions.rules import FunctionalLevel, PositionType
from services.registry.schemas import InputModel, PatchModel, ReadModel

PositionName = Annotated[str, Field(min_length=1, max_length=200, examples=["Kepala Dinas Pendidikan"])]
MinRank = Annotated[str, Field(max_length=8, examples=["IV/b"], description="A PNS golongan/ruang, I/a to IV/e")]

_EXAMPLE: dict[str, JsonValue] = {
    "agency_id": "pemkab-lampung-barat",
    "unit_id": "0196b5f0-7c1e-7a4b-9c1d-2f3e4a5b6c7d",
    "name": "Kepala Dinas Pendidikan dan Kebudayaan",
    "position_type": "jpt_pratama",
    "functional_level": None,
    "is_key": True,
    "competency_standard": {"integritas": 4, "kerja_sama": 4, "komunikasi": 4, "perekat_bangsa": 4},
    "min_rank": "IV/b",
}


def _known_pns_rank(value: str | None) -> str | None:
    if value is not None and value not in PNS_RANKS:
        raise ValueError("a PNS golongan/ruang from I/a to IV/e, e.g. IV/b")
    return value


def _names_a_competency(value: CompetencyLevels | None) -> CompetencyLevels | None:
    if value is not None and not value.named():
        raise ValueError("name at least one competency, or send null for no standard")
    return value


class PositionCreate(InputModel):
    """A new position; `functional_level` is required exactly when `position_type` is fungsional."""

    model_config = ConfigDict(json_schema_extra={"examples": [_EXAMPLE]})

    agency_id: str | None = Field(
        default=None, max_length=100, description="Id or code; defaults to the caller's own agency"
    )
    unit_id: str = Field(max_length=36)
    name: PositionName
    position_type: PositionType
    functional_level: FunctionalLevel | None = None
    is_key: bool = False
    national: bool = Field(default=False, description="Successors are drawn from every agency")
    competency_standard: CompetencyLevels | None = None
    min_rank: MinRank | None = None

    _rank = field_validator("min_rank")(_known_pns_rank)
    _standard = field_validator("competency_standard")(_names_a_competency)


class PositionUpdate(PatchModel):
    """The fields of a position to change (not its agency)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"is_key": True, "min_rank": "IV/a"}]})
    NOT_NULL = frozenset({"unit_id", "name", "position_type", "is_key", "national"})

    unit_id: str | None = Field(default=None, max_length=36)
    name: PositionName | None = None
    position_type: PositionType | None = None
    functional_level: FunctionalLevel | None = None
    is_key: bool | None = None
    national: bool | None = None
    competency_standard: CompetencyLevels | None = None
    min_rank: MinRank | None = None

    _rank = field_validator("min_rank")(_known_pns_rank)
    _standard = field_validator("competency_standard")(_names_a_competency)


class PositionRead(ReadModel):
    """A position; `competency_standard` is null when it has none (JPM then uses the default table)."""

    id: str
    agency_id: str
    unit_id: str
    name: str
    position_type: PositionType
    functional_level: FunctionalLevel | None
    level: str
    is_key: bool
    national: bool
    competency_standard: dict[str, int] | None
    min_rank: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
