"""Set-based writes into the registry, shared by file imports and the SIASN sync.

Each `upsert_*` stages the rows in a temporary table (COPY on PostgreSQL), checks them by the registry's rules
(the same as the single-record API), takes the agency's bulk-write lock, and writes with a few set-based
statements. It runs in the caller's transaction and never commits. Pass `WriteContext(source="siasn",
fetched_at=...)` to mark where the data came from: every row inserted or changed takes both (`source`,
`source_fetched_at`); a row found identical keeps its own. A row refused is named in `Outcome.errors` by its `row`."""

from services.registry.imports.upsert.employees import EmployeeRow, EmployeeUpsert, upsert_employees
from services.registry.imports.upsert.positions import PositionRow, PositionUpsert
from services.registry.imports.upsert.record_kinds import (
    AWARDS,
    COMPETENCY_ASSESSMENTS,
    POTENTIAL_ASSESSMENTS,
    RATINGS,
    SANCTIONS,
    AwardRow,
    CompetencyRow,
    PotentialRow,
    RatingRow,
    SanctionRow,
)
from services.registry.imports.upsert.records import RecordKind, RecordUpsert, upsert_records
from services.registry.imports.upsert.staging import ConcurrentWrite, Outcome, WriteContext, lock_agency
from services.registry.imports.upsert.units import UnitRow, UnitUpsert

__all__ = [
    "AWARDS",
    "COMPETENCY_ASSESSMENTS",
    "POTENTIAL_ASSESSMENTS",
    "RATINGS",
    "SANCTIONS",
    "AwardRow",
    "CompetencyRow",
    "ConcurrentWrite",
    "EmployeeRow",
    "EmployeeUpsert",
    "Outcome",
    "PositionRow",
    "PositionUpsert",
    "PotentialRow",
    "RatingRow",
    "RecordKind",
    "RecordUpsert",
    "SanctionRow",
    "UnitRow",
    "UnitUpsert",
    "WriteContext",
    "lock_agency",
    "upsert_employees",
    "upsert_records",
]
