"""Request and response bodies of /v1/imports."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from services.registry.schemas import ReadModel

ImportKind = Literal[
    "employees", "units", "positions", "performance-ratings", "competency-assessments",
    "potential-assessments", "disciplinary-actions", "awards",
]  # fmt: skip
ImportMode = Literal["atomic", "partial"]
ImportStatus = Literal["queued", "running", "completed", "failed"]


class ImportRowError(ReadModel):
    """A problem in one row: the spreadsheet row (header = row 1; NDJSON: the line), the field, and why."""

    row: int
    field: str
    code: str
    message: str
    message_id: str = Field(description="Bahasa Indonesia")
    message_en: str


class ImportRead(ReadModel):
    """An import job. `errors` holds the first problems by row (see `error_count` for all of them)."""

    id: str
    agency_id: str
    kind: ImportKind
    mode: ImportMode
    status: ImportStatus
    progress: float = Field(ge=0, le=1)
    rows_total: int | None = Field(description="Data rows in the file (known once it has been read)")
    rows_written: int = Field(description="Rows applied: created, changed, or already as given")
    rows_created: int
    rows_updated: int
    rows_unchanged: int
    error_count: int
    errors: list[ImportRowError]
    errors_truncated: bool
    detail: str | None = Field(description="Why a failed job failed")
    file_name: str
    file_format: Literal["csv", "ndjson"]
    file_bytes: int
    file_sha256: str
    created_at: dt.datetime
    created_by: str
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
