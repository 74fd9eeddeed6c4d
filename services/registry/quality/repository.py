"""The data-quality counts in one set-based query: per agency, how many active people lack which scoring input."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.db import is_postgres
from services.registry.positions.rules import COMPETENCIES

COUNTS = (
    "active",
    "complete",
    "no_predikat",
    "no_competency_assessment",
    "no_potential_assessment",
    "stale_assessment",
    "stale_competency_assessment",
    "stale_potential_assessment",
    "no_position",
    "position_without_standard",
)
_NO_STANDARD = " AND ".join(f"pp.std_{code} IS NULL" for code in COMPETENCIES)

# Active = not deleted and not retired at `as_of` (the scoring export's rule). The position is the one held at
# `as_of`; an assessment counts when dated on or before it and is stale when dated before `stale_before`.
_QUERY = f"""
WITH people AS (
  SELECT e.nip, e.agency_id FROM employees e
  WHERE e.deleted_at IS NULL AND e.retirement_date > :as_of {{agency}}
),
held AS (
  SELECT h.nip, h.position_id, h.valid_to,
    ROW_NUMBER() OVER (PARTITION BY h.nip ORDER BY h.valid_from DESC, h.id DESC) AS latest
  FROM position_history h JOIN people p ON p.nip = h.nip
  WHERE h.valid_from <= :as_of
),
comp AS (
  SELECT c.nip, MAX(c.assessed_on) AS assessed_on FROM competency_assessments c JOIN people p ON p.nip = c.nip
  WHERE c.assessed_on <= :as_of GROUP BY c.nip
),
pot AS (
  SELECT t.nip, MAX(t.assessed_on) AS assessed_on FROM potential_assessments t JOIN people p ON p.nip = t.nip
  WHERE t.assessed_on <= :as_of GROUP BY t.nip
),
rated AS (
  SELECT DISTINCT r.nip FROM performance_ratings r JOIN people p ON p.nip = r.nip
  WHERE r.year = :year AND r.superseded_at IS NULL
),
facts AS (
  SELECT p.agency_id,
    CASE WHEN rt.nip IS NULL THEN 1 ELSE 0 END AS no_predikat,
    CASE WHEN cm.nip IS NULL THEN 1 ELSE 0 END AS no_comp,
    CASE WHEN cm.assessed_on < :stale_before THEN 1 ELSE 0 END AS stale_comp,
    CASE WHEN pt.nip IS NULL THEN 1 ELSE 0 END AS no_pot,
    CASE WHEN pt.assessed_on < :stale_before THEN 1 ELSE 0 END AS stale_pot,
    CASE WHEN pp.id IS NULL THEN 1 ELSE 0 END AS no_position,
    CASE WHEN pp.id IS NOT NULL AND {_NO_STANDARD} THEN 1 ELSE 0 END AS no_standard
  FROM people p
    LEFT JOIN held cp ON cp.nip = p.nip AND cp.latest = 1 AND (cp.valid_to IS NULL OR cp.valid_to > :as_of)
    LEFT JOIN positions pp ON pp.id = cp.position_id
    LEFT JOIN comp cm ON cm.nip = p.nip
    LEFT JOIN pot pt ON pt.nip = p.nip
    LEFT JOIN rated rt ON rt.nip = p.nip
)
SELECT a.id AS agency_id, a.code, a.name, a.region,
  COUNT(f.agency_id) AS active,
  COALESCE(SUM(CASE WHEN f.no_predikat + f.no_comp + f.stale_comp + f.no_pot + f.stale_pot + f.no_position = 0
    THEN 1 ELSE 0 END), 0) AS complete,
  COALESCE(SUM(f.no_predikat), 0) AS no_predikat,
  COALESCE(SUM(f.no_comp), 0) AS no_competency_assessment,
  COALESCE(SUM(f.no_pot), 0) AS no_potential_assessment,
  COALESCE(SUM(CASE WHEN f.stale_comp + f.stale_pot > 0 THEN 1 ELSE 0 END), 0) AS stale_assessment,
  COALESCE(SUM(f.stale_comp), 0) AS stale_competency_assessment,
  COALESCE(SUM(f.stale_pot), 0) AS stale_potential_assessment,
  COALESCE(SUM(f.no_position), 0) AS no_position,
  COALESCE(SUM(f.no_standard), 0) AS position_without_standard
FROM agencies a LEFT JOIN facts f ON f.agency_id = a.id
{{where}}
GROUP BY a.id, a.code, a.name, a.region
ORDER BY a.code
"""


@dataclass(frozen=True)
class AgencyCounts:
    """One agency's counts (`COUNTS`) and how it is named."""

    agency_id: str
    code: str
    name: str
    region: str | None
    counts: dict[str, int]


class QualityRepository:
    """The data-quality query."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def counts(
        self, *, agency_id: str | None, as_of: dt.date, year: int, stale_before: dt.date
    ) -> Sequence[AgencyCounts]:
        """Counts of every agency (or one), computed by the database over all its active people at once."""
        agency = "AND e.agency_id = :agency" if agency_id is not None else ""
        where = "WHERE a.id = :agency" if agency_id is not None else ""
        params: dict[str, object] = {"as_of": as_of, "year": year, "stale_before": stale_before}
        if agency_id is not None:
            params["agency"] = agency_id
        if not is_postgres(self.session):  # SQLite keeps dates as ISO text
            params = {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in params.items()}
        rows = (await self.session.execute(text(_QUERY.format(agency=agency, where=where)), params)).mappings()
        return [
            AgencyCounts(
                agency_id=row["agency_id"],
                code=row["code"],
                name=row["name"],
                region=row["region"],
                counts={name: int(row[name]) for name in COUNTS},
            )
            for row in rows
        ]
