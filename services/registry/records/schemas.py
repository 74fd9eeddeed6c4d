"""Request and response bodies of awards and disciplinary actions."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import ConfigDict, Field, computed_field

from services.common.dates import Day, OpenEnd
from services.registry.clock import today
from services.registry.records.rules import AwardLevel, SanctionLevel
from services.registry.schemas import InputModel, RecordRead


class AwardCreate(InputModel):
    """An award (penghargaan) given to the person."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"awarded_on": "2024-08-17", "name": "Satyalancana Karya Satya X Tahun", "level": "national"}]
        }
    )

    awarded_on: Day
    name: Annotated[str, Field(min_length=1, max_length=300)]
    level: AwardLevel


class AwardRead(RecordRead):
    """An award."""

    id: str
    nip: str
    awarded_on: dt.date
    name: str
    level: AwardLevel


class DisciplinaryActionCreate(InputModel):
    """A disciplinary sanction (PP 94/2021), in force from `starts_on` to `ends_on`."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"level": "sedang", "starts_on": "2025-02-01", "ends_on": "2026-01-31", "reason": "Tidak masuk kerja"}
            ]
        }
    )

    level: SanctionLevel
    starts_on: Day
    ends_on: OpenEnd
    reason: Annotated[str, Field(min_length=1, max_length=2000)] | None = None


class DisciplinaryActionRead(RecordRead):
    """A disciplinary sanction; `in_force` is as of today (Jakarta)."""

    id: str
    nip: str
    level: SanctionLevel
    starts_on: dt.date
    ends_on: dt.date
    reason: str | None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def in_force(self) -> bool:
        """Whether the sanction is in force today (Jakarta)."""
        return self.starts_on <= today() <= self.ends_on
