"""Request and response bodies of /v1/employees/{nip}/performance-ratings."""

from __future__ import annotations

import datetime as dt

from pydantic import ConfigDict, computed_field

from services.registry.ratings.rules import PREDIKAT_LABELS_ID, Expectation, Predikat
from services.registry.schemas import InputModel, RecordRead


class PerformanceRatingPut(InputModel):
    """A year's SKP ratings: work result (hasil kerja) and work behaviour (perilaku kerja)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"work_result": "above", "work_behavior": "meets"}]})

    work_result: Expectation
    work_behavior: Expectation


class PerformanceRatingRead(RecordRead):
    """A year's rating and its predikat (PermenPANRB 6/2022); `superseded_at` is set on replaced versions."""

    nip: str
    year: int
    work_result: Expectation
    work_behavior: Expectation
    predikat: Predikat
    version: int
    superseded_at: dt.datetime | None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def predikat_label_id(self) -> str:
        """The official label, e.g. "Kurang/Misconduct"."""
        return PREDIKAT_LABELS_ID[self.predikat]
