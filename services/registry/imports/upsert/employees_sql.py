"""The SQL of the employee upsert: classify the staged rows, find refusals, close and open history, write.

Portable between PostgreSQL and SQLite (>= 3.39): UPDATE ... FROM, IS DISTINCT FROM, INSERT ... SELECT ...
ON CONFLICT. `s` is the stage; `old_*` columns hold the person's current values (filled by CLASSIFY)."""

from __future__ import annotations

from services.registry.employees.rules import RANKS_BY_EMPLOYMENT_TYPE
from services.registry.imports.upsert.keys import Reference

STAGE = "stage_employees"

_POSITION = "({s}.position_id IS NOT NULL AND {s}.position_id IS DISTINCT FROM e.position_id)"
_RANK = "({s}.rank IS NOT NULL AND {s}.rank IS DISTINCT FROM e.rank)"
_EDUCATION = "({s}.education_level IS NOT NULL AND {s}.education_level IS DISTINCT FROM e.education_level)"
_PLAIN = " OR ".join(
    f"({{s}}.{column} IS NOT NULL AND {{s}}.{column} IS DISTINCT FROM e.{column})"
    for column in ("name", "employment_type", "unit_id", "level_since", "email", "phone")
)
_FLAGS = (
    f"pos_changed = {_POSITION}, rank_changed = {_RANK}, edu_changed = {_EDUCATION}, "
    f"changed = ({_POSITION} OR {_RANK} OR {_EDUCATION} OR {_PLAIN})"
).format(s=STAGE)
# One pass: who each staged person is now (new when no row matches: state stays NULL), and what would change.
CLASSIFY = f"""
UPDATE {STAGE} SET
  state = CASE WHEN e.agency_id <> :agency THEN 'other' WHEN e.deleted_at IS NOT NULL THEN 'deleted'
          ELSE 'existing' END,
  old_employment_type = e.employment_type, old_position_id = e.position_id, old_level = p.level,
  old_position_since = e.position_since, old_level_since = e.level_since, old_rank = e.rank,
  old_rank_since = e.rank_since, position_from = ph.valid_from, rank_from = rh.valid_from,
  education_from = eh.valid_from, {_FLAGS}
FROM employees e
  LEFT JOIN positions p ON p.id = e.position_id
  LEFT JOIN position_history ph ON ph.nip = e.nip AND ph.valid_to IS NULL
  LEFT JOIN rank_history rh ON rh.nip = e.nip AND rh.valid_to IS NULL
  LEFT JOIN education_history eh ON eh.nip = e.nip AND eh.valid_to IS NULL
WHERE e.nip = {STAGE}.nip
"""

_PAIRS = " UNION ALL ".join(
    f"SELECT '{kind}' AS employment_type, '{rank}' AS rank_code"
    for kind, ranks in RANKS_BY_EMPLOYMENT_TYPE.items()
    for rank in ranks
)
_FITS = (
    f"EXISTS (SELECT 1 FROM ({_PAIRS}) k WHERE k.employment_type = COALESCE(s.employment_type, s.old_employment_type)"
    " AND k.rank_code = COALESCE(s.rank, s.old_rank))"
)
_MISMATCH = f"COALESCE(s.rank, s.old_rank) IS NOT NULL AND NOT {_FITS}"
# The facts messages quote, selected once: name -> expression.
FACTS = {
    "rank": "COALESCE(s.rank, s.old_rank)",
    "employment_type": "COALESCE(s.employment_type, s.old_employment_type)",
    "position_from": "s.position_from",
    "rank_from": "s.rank_from",
    "education_from": "s.education_from",
    "old_position_since": "s.old_position_since",
    "old_rank_since": "s.old_rank_since",
}
# (field, code, condition on `s`, {message param: fact}): what the registry refuses, as PATCH would.
CHECKS: tuple[tuple[str, str, str, dict[str, str]], ...] = (
    ("nip", "nip_in_other_agency", "s.state = 'other'", {}),
    ("nip", "employee_deleted", "s.state = 'deleted'", {}),
    ("name", "required_for_new", "s.state IS NULL AND s.name IS NULL", {}),
    ("employment_type", "required_for_new", "s.state IS NULL AND s.employment_type IS NULL", {}),
    ("rank", "rank_mismatch", f"s.rank IS NOT NULL AND {_MISMATCH}",
     {"rank": "rank", "employment_type": "employment_type"}),
    ("employment_type", "rank_mismatch", f"s.rank IS NULL AND {_MISMATCH}",
     {"rank": "rank", "employment_type": "employment_type"}),
    ("position_since", "backdated",
     "s.pos_changed AND s.position_from IS NOT NULL AND COALESCE(s.position_since, :today) < s.position_from",
     {"date": "position_from"}),
    ("rank_since", "backdated",
     "s.rank_changed AND s.rank_from IS NOT NULL AND COALESCE(s.rank_since, :today) < s.rank_from",
     {"date": "rank_from"}),
    ("education_level", "backdated", "s.edu_changed AND s.education_from IS NOT NULL AND :today < s.education_from",
     {"date": "education_from"}),
    ("position_since", "date_without_change",
     "s.state = 'existing' AND NOT s.pos_changed AND s.position_since IS NOT NULL"
     " AND s.position_since IS DISTINCT FROM s.old_position_since",
     {"date": "old_position_since"}),
    ("rank_since", "date_without_change",
     "s.state = 'existing' AND NOT s.rank_changed AND s.rank_since IS NOT NULL"
     " AND s.rank_since IS DISTINCT FROM s.old_rank_since",
     {"date": "old_rank_since"}),
)  # fmt: skip
# One scan of the stage: each refused row once, with a flag per check and the facts.
CHECK = (
    "SELECT s.row_no, "
    + ", ".join(f"CASE WHEN {condition} THEN 1 ELSE 0 END" for _, _, condition, _ in CHECKS)
    + ", "
    + ", ".join(FACTS.values())
    + f" FROM {STAGE} s WHERE "
    + " OR ".join(f"({condition})" for _, _, condition, _ in CHECKS)
)

CLOSE = {
    "position_history": ("pos_changed", "COALESCE(s.position_since, :today)"),
    "rank_history": ("rank_changed", "COALESCE(s.rank_since, :today)"),
    "education_history": ("edu_changed", ":today"),
}
# A closed row keeps its source; a row of the writer's own source (a SIASN row closed by a sync) takes the
# write's fetched time, a row of another source (manual, import) keeps its own (null).
CLOSE_SQL = {
    table: f"""
UPDATE {table} SET valid_to = {end}, updated_at = :now, updated_by = :actor, version = {table}.version + 1,
  source_fetched_at = CASE WHEN {table}.source = :source THEN :fetched_at ELSE {table}.source_fetched_at END
FROM {STAGE} s WHERE {table}.nip = s.nip AND {table}.valid_to IS NULL AND s.{flag}
"""
    for table, (flag, end) in CLOSE.items()
}

UPDATE = f"""
UPDATE employees SET
  name = COALESCE(s.name, employees.name),
  employment_type = COALESCE(s.employment_type, employees.employment_type),
  unit_id = COALESCE(s.unit_id, CASE WHEN s.pos_changed THEN s.position_unit_id END, employees.unit_id),
  position_id = COALESCE(s.position_id, employees.position_id),
  position_since = CASE WHEN s.pos_changed THEN COALESCE(s.position_since, :today) ELSE employees.position_since END,
  level_since = CASE
    WHEN s.level_since IS NOT NULL THEN s.level_since
    WHEN s.pos_changed AND s.position_level = s.old_level AND employees.level_since IS NOT NULL
      THEN employees.level_since
    WHEN s.pos_changed THEN COALESCE(s.position_since, :today)
    ELSE employees.level_since END,
  rank = COALESCE(s.rank, employees.rank),
  rank_order = COALESCE(s.rank_order, employees.rank_order),
  rank_since = CASE WHEN s.rank_changed THEN COALESCE(s.rank_since, :today) ELSE employees.rank_since END,
  education_level = COALESCE(s.education_level, employees.education_level),
  email = COALESCE(s.email, employees.email),
  phone = COALESCE(s.phone, employees.phone),
  retirement_date = CASE WHEN s.position_id IS NOT NULL THEN s.retirement_date ELSE employees.retirement_date END,
  source = :source, source_fetched_at = :fetched_at,
  updated_at = :now, updated_by = :actor, version = employees.version + 1
FROM {STAGE} s WHERE employees.nip = s.nip AND s.changed
"""


def _insert(source: str, order: str, on_conflict: str) -> str:
    return f"""
INSERT INTO employees (nip, name, employment_type, agency_id, unit_id, position_id, position_since, level_since,
  rank, rank_order, rank_since, education_level, email, phone, birth_date, gender, retirement_date, source,
  source_fetched_at, created_at, created_by, updated_at, updated_by, version)
SELECT nip, name, employment_type, :agency, COALESCE(unit_id, position_unit_id), position_id,
  CASE WHEN position_id IS NOT NULL THEN COALESCE(position_since, :today) END,
  CASE WHEN position_id IS NOT NULL THEN COALESCE(level_since, position_since, :today) END,
  rank, rank_order, CASE WHEN rank IS NOT NULL THEN COALESCE(rank_since, :today) END,
  education_level, email, phone, birth_date, gender, retirement_date, :source, :fetched_at,
  :now, :actor, :now, :actor, 1
FROM {source} s WHERE state IS NULL{order}{on_conflict}"""


_AUDIT = ":source, :fetched_at, :now, :actor, :now, :actor, 1"


def _open(new_id: dict[str, str], source: str, order: str) -> tuple[str, str, str]:
    return (
        f"""
INSERT INTO position_history (id, nip, agency_id, unit_id, position_id, level, valid_from, valid_to, source,
  source_fetched_at, created_at, created_by, updated_at, updated_by, version)
SELECT {new_id["position_history"]}, s.nip, :agency, COALESCE(s.unit_id, s.position_unit_id), s.position_id,
  s.position_level, COALESCE(s.position_since, :today), NULL, {_AUDIT}
FROM {source} s WHERE s.position_id IS NOT NULL AND (s.state IS NULL OR s.pos_changed){order}""",
        f"""
INSERT INTO rank_history (id, nip, rank, rank_order, valid_from, valid_to, source, source_fetched_at,
  created_at, created_by, updated_at, updated_by, version)
SELECT {new_id["rank_history"]}, s.nip, s.rank, s.rank_order, COALESCE(s.rank_since, :today), NULL, {_AUDIT}
FROM {source} s WHERE s.rank IS NOT NULL AND (s.state IS NULL OR s.rank_changed){order}""",
        f"""
INSERT INTO education_history (id, nip, level, institution, major, graduated_on, valid_from, valid_to, source,
  source_fetched_at, created_at, created_by, updated_at, updated_by, version)
SELECT {new_id["education_history"]}, s.nip, s.education_level, NULL, NULL, NULL, :today, NULL, {_AUDIT}
FROM {source} s WHERE s.education_level IS NOT NULL AND (s.state IS NULL OR s.edu_changed){order}""",
    )


OPENED = ("position_history", "rank_history", "education_history")
# SQLite's: a NIP someone created after the check is skipped, and `upsert.write` compares the count.
INSERT = _insert(STAGE, " ORDER BY nip", "\nON CONFLICT (nip) DO NOTHING")


def open_sql(new_id: str) -> tuple[str, str, str]:
    """The INSERTs opening history rows, run after `INSERT` (SQLite; PostgreSQL runs `insert_and_open_sql`);
    `new_id` is the SQL of a row's id in NIP order (`staging.ordered_id`).

    Every staged person is now an employee of this agency: `upsert.write` checked that the INSERT wrote every new
    one. Rows go in NIP order with ids rising in that order: the indexes on nip and the primary key fill page by
    page instead of at random."""
    return _open(dict.fromkeys(OPENED, new_id), STAGE, " ORDER BY s.nip")


def insert_and_open_sql() -> str:
    """PostgreSQL: `INSERT` and `open_sql` as one statement (the employees' `INSERT` is its main part).

    The stage is sorted and numbered once (`written`), where the four statements sort it once each. Each history
    table's ids are `:<table>_prefix` (`staging.id_prefix`) and the row's number: rising in NIP order, as
    `open_sql`'s. The history rows' nip keys are checked when the statement ends, after its employees are in.
    The employees are inserted without `ON CONFLICT`: a NIP someone created after the check breaks the primary key
    and stops the statement (a speculative insert, which `DO NOTHING` needs, cost ~0.4 s per 200,000 people)."""
    # The rows written, in NIP order, each with its number in that order (`seq`).
    written = (
        f"written AS MATERIALIZED (SELECT {STAGE}.*, row_number() OVER (ORDER BY nip) AS seq FROM {STAGE} "
        "WHERE state IS NULL OR changed ORDER BY nip)"
    )
    ids = {table: f":{table}_prefix || lpad(to_hex(s.seq), 8, '0')" for table in OPENED}
    opened = ",\n".join(
        f"opened_{table} AS ({statement}\n)" for table, statement in zip(OPENED, _open(ids, "written", ""), strict=True)
    )
    return f"WITH {written},\n{opened}{_insert('written', '', '')}"


# What the writes below reference, locked once each before them (see `keys.py`): the agency, every unit named or
# implied by a position (`:units`), every position with this agency (`:positions`; position_history's key is
# (position_id, agency_id), employees' is position_id alone, the same rows). `EmployeeUpsert` collects the ids as
# it checks the rows, so no scan of the stage finds them: those of every staged row, a few more than the rows
# written name (unchanged and refused rows too), each an existing row of the agency. The history rows' nip is a
# person this write inserted or updated (a new one, or one whose position, rank or education changed), so this
# transaction holds that row.
REFERENCES = (
    Reference("agencies", "id", "SELECT CAST(:agency AS text)"),
    Reference("units", "id", "SELECT unnest(CAST(:units AS text[]))"),
    Reference("positions", "(id, agency_id)", "SELECT unnest(CAST(:positions AS text[])), CAST(:agency AS text)"),
)

COUNT = f"""
SELECT COALESCE(SUM(CASE WHEN state IS NULL THEN 1 ELSE 0 END), 0),
       COALESCE(SUM(CASE WHEN changed THEN 1 ELSE 0 END), 0), COUNT(*)
FROM {STAGE}
"""
