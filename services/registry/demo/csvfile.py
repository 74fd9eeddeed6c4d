"""Generated employees as CSV with the fields of EmployeeCreate: input for import tests and benchmarks."""

from __future__ import annotations

import csv
import datetime as dt
import pathlib
from typing import Any

from services.registry.demo.generate import DemoDataset

EMPLOYEE_CSV_COLUMNS = (
    "nip",
    "name",
    "employment_type",
    "agency_id",
    "unit_id",
    "position_id",
    "position_since",
    "level_since",
    "rank",
    "rank_since",
    "education_level",
    "email",
    "phone",
)


def write_employees_csv(path: pathlib.Path, dataset: DemoDataset, agency_code: str | None = None) -> int:
    """Write the dataset's employees (of one agency, or all) to `path`; answers the rows written.

    `agency_id` is written as the agency's code; unit and position ids are those of `dataset.organisation()`,
    so seed the organisation with the same seed (`seed --people-per-agency 0`) before importing the file."""
    codes = {a.agency.columns["id"][0]: a.code for a in dataset.agencies}
    written = 0
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(EMPLOYEE_CSV_COLUMNS)
        for chunk in dataset.people():
            for record in chunk["employees"].records(EMPLOYEE_CSV_COLUMNS):
                values = dict(zip(EMPLOYEE_CSV_COLUMNS, record, strict=True))
                values["agency_id"] = codes[values["agency_id"]]
                if agency_code is not None and values["agency_id"] != agency_code:
                    continue
                writer.writerow([_text(values[c]) for c in EMPLOYEE_CSV_COLUMNS])
                written += 1
    return written


def _text(value: Any) -> str:
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, dt.date) else str(value)
