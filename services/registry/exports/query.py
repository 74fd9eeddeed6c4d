"""The scoring-inputs SELECT (docs/DESIGN.md "Scoring inputs"): one row per active employee, computed in SQL.

Portable between PostgreSQL and SQLite (window functions, no DISTINCT ON), so both produce the same rows. A levels
export on PostgreSQL reads each person's rows through LATERAL lookups instead (`per_person`): the same rows, byte for
byte (tests/registry/exports/test_sqlite.py compares it with SQLite's windowed answer).
Named parameters: as_of, year, prev_year, sanction_since, award_since, and agency when filtered."""

from __future__ import annotations

from collections.abc import Sequence

from services.registry.positions.rules import COMPETENCIES, POSITION_LEVELS

LEVEL_COLUMNS = tuple("lvl_" + c for c in COMPETENCIES)
STANDARD_COLUMNS = tuple("std_" + c for c in COMPETENCIES)
COLUMNS: tuple[str, ...] = (
    "nip", "name", "agency_id", "unit_id", "employment_type", "gender", "birth_date", "retirement_date",
    "position_id", "position_type", "functional_level", "position_since", "level_since", "rank", "rank_order",
    "rank_since", "education_level", "predikat_y", "predikat_y1", "competency_assessed_on", *LEVEL_COLUMNS,
    *STANDARD_COLUMNS, "potential_assessed_on", "potential_score", "sanctions_in_force", "ringan_recent",
    "sedang_recent", "berat_recent", "last_heavy_sanction_ended_on", "awards_recent",
)  # fmt: skip

_LATEST = "ROW_NUMBER() OVER (PARTITION BY {t}.nip ORDER BY {t}.{day} DESC, {t}.id DESC) AS latest"
_HELD_AT = "{t}.latest = 1 AND ({t}.valid_to IS NULL OR {t}.valid_to > :as_of)"
# A holding starts a run at its level unless the one before it (window w: the person's holdings by valid_from, id)
# was at the same level and ended the day it started.
_STARTS_RUN = "CASE WHEN LAG(h.level) OVER w = h.level AND LAG(h.valid_to) OVER w = h.valid_from THEN 0 ELSE 1 END"

# A person's sanctions (rows of disciplinary_actions d started by as_of): in force, recent by level, last heavy.
_SANCTIONS = """SUM(CASE WHEN d.starts_on <= :as_of AND d.ends_on >= :as_of THEN 1 ELSE 0 END) AS in_force,
    SUM(CASE WHEN d.level = 'ringan' AND d.ends_on >= :sanction_since THEN 1 ELSE 0 END) AS ringan,
    SUM(CASE WHEN d.level = 'sedang' AND d.ends_on >= :sanction_since THEN 1 ELSE 0 END) AS sedang,
    SUM(CASE WHEN d.level = 'berat' AND d.ends_on >= :sanction_since THEN 1 ELSE 0 END) AS berat,
    MAX(CASE WHEN d.level IN ('sedang', 'berat') AND d.ends_on <= :as_of THEN d.ends_on END) AS last_heavy"""

_CTES = f"""
held AS (
  SELECT h.nip, h.id, h.unit_id, h.position_id, h.valid_from, h.valid_to,
    {_STARTS_RUN} AS starts_run,
    {_LATEST.format(t="h", day="valid_from")}
  FROM position_history h JOIN people p ON p.nip = h.nip
  WHERE h.valid_from <= :as_of
  WINDOW w AS (PARTITION BY h.nip ORDER BY h.valid_from, h.id)
),
runs AS (
  SELECT held.*, SUM(starts_run) OVER (PARTITION BY nip ORDER BY valid_from, id ROWS UNBOUNDED PRECEDING) AS run
  FROM held
),
pos AS (
  SELECT nip, unit_id, position_id, valid_from, valid_to, latest,
    MIN(valid_from) OVER (PARTITION BY nip, run) AS run_start
  FROM runs
),
rnk AS (
  SELECT h.nip, h.rank, h.rank_order, h.valid_from, h.valid_to, {_LATEST.format(t="h", day="valid_from")}
  FROM rank_history h JOIN people p ON p.nip = h.nip
  WHERE h.valid_from <= :as_of
),
comp AS (
  SELECT c.nip, c.assessed_on, {", ".join("c." + col for col in LEVEL_COLUMNS)},
    {_LATEST.format(t="c", day="assessed_on")}
  FROM competency_assessments c JOIN people p ON p.nip = c.nip
  WHERE c.assessed_on <= :as_of
),
pot AS (
  SELECT t.nip, t.assessed_on, t.score, {_LATEST.format(t="t", day="assessed_on")}
  FROM potential_assessments t JOIN people p ON p.nip = t.nip
  WHERE t.assessed_on <= :as_of
),
sanc AS (
  SELECT d.nip, {_SANCTIONS}
  FROM disciplinary_actions d JOIN people p ON p.nip = d.nip
  WHERE d.starts_on <= :as_of
  GROUP BY d.nip
),
award AS (
  SELECT a.nip, COUNT(*) AS n
  FROM awards a JOIN people p ON p.nip = a.nip
  WHERE a.awarded_on >= :award_since AND a.awarded_on <= :as_of
  GROUP BY a.nip
)"""

_COLUMNS = f"""
SELECT p.nip, p.name, p.agency_id, CASE WHEN cp.nip IS NULL THEN p.unit_id ELSE cp.unit_id END AS unit_id,
  p.employment_type, p.gender, p.birth_date, p.retirement_date,
  pp.id AS position_id, pp.position_type, pp.functional_level, cp.valid_from AS position_since,
  CASE WHEN cp.nip IS NULL THEN NULL WHEN cp.valid_to IS NULL THEN COALESCE(p.level_since, {{run_start}})
    ELSE {{run_start}} END AS level_since,
  rk.rank, rk.rank_order, rk.valid_from AS rank_since, p.education_level,
  ry.predikat AS predikat_y, ry1.predikat AS predikat_y1,
  cm.assessed_on AS competency_assessed_on, {", ".join("cm." + col for col in LEVEL_COLUMNS)},
  {", ".join("pp." + col for col in STANDARD_COLUMNS)},
  pt.assessed_on AS potential_assessed_on, pt.score AS potential_score,
  COALESCE(sc.in_force, 0) AS sanctions_in_force, COALESCE(sc.ringan, 0) AS ringan_recent,
  COALESCE(sc.sedang, 0) AS sedang_recent, COALESCE(sc.berat, 0) AS berat_recent,
  sc.last_heavy AS last_heavy_sanction_ended_on, COALESCE(aw.n, 0) AS awards_recent"""

_SELECT = f"""{_COLUMNS.format(run_start="cp.run_start")}
FROM people p
  LEFT JOIN pos cp ON cp.nip = p.nip AND {_HELD_AT.format(t="cp")}
  LEFT JOIN positions pp ON pp.id = cp.position_id
  LEFT JOIN rnk rk ON rk.nip = p.nip AND {_HELD_AT.format(t="rk")}
  LEFT JOIN performance_ratings ry ON ry.nip = p.nip AND ry.year = :year AND ry.superseded_at IS NULL
  LEFT JOIN performance_ratings ry1 ON ry1.nip = p.nip AND ry1.year = :prev_year AND ry1.superseded_at IS NULL
  LEFT JOIN comp cm ON cm.nip = p.nip AND cm.latest = 1
  LEFT JOIN pot pt ON pt.nip = p.nip AND pt.latest = 1
  LEFT JOIN sanc sc ON sc.nip = p.nip
  LEFT JOIN award aw ON aw.nip = p.nip"""


# The same facts as _CTES + _SELECT, looked up person by person through the (nip, day) indexes: for the few people
# of a levels export this reads only their rows, where the windowed CTEs' plan hashes every row of each history
# table (10 times slower for 1,000 people of a 10,000-person agency, no faster across 5.6 M people). The run start
# of the current level is the latest row (by valid_from, id) that starts a run: its valid_from is the run's minimum;
# it is read only where level_since uses it (a holding that ends later, or an employee row without level_since).
_LATEST_ROW = "ORDER BY {t}.{day} DESC, {t}.id DESC LIMIT 1"
_PER_PERSON = f"""{_COLUMNS.format(run_start="rs.run_start")}
FROM people p
  LEFT JOIN LATERAL (
    SELECT h.nip, h.unit_id, h.position_id, h.valid_from, h.valid_to FROM position_history h
    WHERE h.nip = p.nip AND h.valid_from <= :as_of {_LATEST_ROW.format(t="h", day="valid_from")}
  ) cp ON cp.valid_to IS NULL OR cp.valid_to > :as_of
  LEFT JOIN LATERAL (
    SELECT r.valid_from AS run_start FROM (
      SELECT h.id, h.valid_from,
        {_STARTS_RUN} AS starts_run
      FROM position_history h
      WHERE h.nip = p.nip AND h.valid_from <= :as_of
        AND cp.nip IS NOT NULL AND (cp.valid_to IS NOT NULL OR p.level_since IS NULL)
      WINDOW w AS (ORDER BY h.valid_from, h.id)
    ) r WHERE r.starts_run = 1 {_LATEST_ROW.format(t="r", day="valid_from")}
  ) rs ON true
  LEFT JOIN positions pp ON pp.id = cp.position_id
  LEFT JOIN LATERAL (
    SELECT h.rank, h.rank_order, h.valid_from, h.valid_to FROM rank_history h
    WHERE h.nip = p.nip AND h.valid_from <= :as_of {_LATEST_ROW.format(t="h", day="valid_from")}
  ) rk ON rk.valid_to IS NULL OR rk.valid_to > :as_of
  LEFT JOIN performance_ratings ry ON ry.nip = p.nip AND ry.year = :year AND ry.superseded_at IS NULL
  LEFT JOIN performance_ratings ry1 ON ry1.nip = p.nip AND ry1.year = :prev_year AND ry1.superseded_at IS NULL
  LEFT JOIN LATERAL (
    SELECT c.assessed_on, {", ".join("c." + col for col in LEVEL_COLUMNS)} FROM competency_assessments c
    WHERE c.nip = p.nip AND c.assessed_on <= :as_of {_LATEST_ROW.format(t="c", day="assessed_on")}
  ) cm ON true
  LEFT JOIN LATERAL (
    SELECT t.assessed_on, t.score FROM potential_assessments t
    WHERE t.nip = p.nip AND t.assessed_on <= :as_of {_LATEST_ROW.format(t="t", day="assessed_on")}
  ) pt ON true
  LEFT JOIN LATERAL (
    SELECT {_SANCTIONS}
    FROM disciplinary_actions d WHERE d.nip = p.nip AND d.starts_on <= :as_of
  ) sc ON true
  LEFT JOIN LATERAL (
    SELECT COUNT(*) AS n FROM awards a WHERE a.nip = p.nip AND a.awarded_on >= :award_since AND a.awarded_on <= :as_of
  ) aw ON true"""


def _at_levels(in_levels: str) -> str:
    """People who held a position at the levels on `as_of`, found through the index on position_history.level
    (its statistics estimate a rare level well, so the rest of the query reads only these people's rows). A holding
    carries its position's level, which cannot change while the position is held."""
    if not in_levels:
        return ""
    return f"""AND e.nip IN (
    SELECT h.nip FROM position_history h
    WHERE h.level {in_levels} AND h.valid_from <= :as_of AND (h.valid_to IS NULL OR h.valid_to > :as_of))"""


def scoring_inputs_sql(*, by_agency: bool, levels: Sequence[str] | None, per_person: bool = False) -> str:
    """The SELECT, restricted to one agency (`:agency`) and/or to people at some position levels; `per_person`
    (PostgreSQL only, for a levels export) looks each person's rows up through LATERAL joins."""
    if levels is not None and not set(levels) <= set(POSITION_LEVELS):
        raise ValueError("unknown position level")
    agency = "AND e.agency_id = :agency" if by_agency else ""
    # Levels are checked against the registry's codes above, so they can be written into the SQL.
    in_levels = f"IN ({', '.join(repr(level) for level in levels)})" if levels else ""
    people = f"""
people AS (
  SELECT e.nip, e.name, e.agency_id, e.unit_id, e.employment_type, e.gender, e.birth_date, e.retirement_date,
    e.level_since, e.education_level
  FROM employees e
  WHERE e.deleted_at IS NULL AND e.retirement_date > :as_of {agency} {_at_levels(in_levels)}
),"""
    where = f"WHERE pp.level {in_levels}" if levels else ""
    if per_person:
        return f"WITH {people.rstrip(',')}{_PER_PERSON}\n{where}\nORDER BY p.nip"
    return f"WITH {people}{_CTES}{_SELECT}\n{where}\nORDER BY p.nip"
