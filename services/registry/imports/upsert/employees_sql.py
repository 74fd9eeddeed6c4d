"""The SQL of the employee upsert: classify the staged rows, find refusals, close and open history, write.

Portable between PostgreSQL and SQLite (>= 3.39): UPDATE ... FROM, IS DISTINCT FROM, INSERT ... SELECT ...
ON CONFLICT. `s` is the stage; `old_*` columns hold the person's current values (filled by CLASSIFY)."""

from __future__ import annotations

from services.registry.employees.rules import RANKS_BY_EMPLOYMENT_TYPE

STAGE = "stage_employees"

CLASSIFY = f"""
UPDATE {STAGE} SET
  state = CASE WHEN e.agency_id <> :agency THEN 'other' WHEN e.deleted_at IS NOT NULL THEN 'deleted'
          ELSE 'existing' END,
  old_name = e.name, old_employment_type = e.employment_type, old_unit_id = e.unit_id,
  old_position_id = e.position_id, old_level = p.level, old_position_since = e.position_since,
  old_level_since = e.level_since, old_rank = e.rank, old_rank_since = e.rank_since,
  old_education_level = e.education_level, old_email = e.email, old_phone = e.phone,
  position_from = ph.valid_from, rank_from = rh.valid_from, education_from = eh.valid_from
FROM employees e
  LEFT JOIN positions p ON p.id = e.position_id
  LEFT JOIN position_history ph ON ph.nip = e.nip AND ph.valid_to IS NULL
  LEFT JOIN rank_history rh ON rh.nip = e.nip AND rh.valid_to IS NULL
  LEFT JOIN education_history eh ON eh.nip = e.nip AND eh.valid_to IS NULL
WHERE e.nip = {STAGE}.nip
"""

_POSITION = "(position_id IS NOT NULL AND position_id IS DISTINCT FROM old_position_id)"
_RANK = "(rank IS NOT NULL AND rank IS DISTINCT FROM old_rank)"
_EDUCATION = "(education_level IS NOT NULL AND education_level IS DISTINCT FROM old_education_level)"
_PLAIN = " OR ".join(
    f"({column} IS NOT NULL AND {column} IS DISTINCT FROM old_{column})"
    for column in ("name", "employment_type", "unit_id", "level_since", "email", "phone")
)
FLAG = f"""
UPDATE {STAGE} SET pos_changed = {_POSITION}, rank_changed = {_RANK}, edu_changed = {_EDUCATION},
  changed = ({_POSITION} OR {_RANK} OR {_EDUCATION} OR {_PLAIN})
WHERE state = 'existing'
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
_RANK_FACTS = "COALESCE(s.rank, s.old_rank), COALESCE(s.employment_type, s.old_employment_type)"
_NONE = "CAST(NULL AS VARCHAR(40)), CAST(NULL AS VARCHAR(40))"
# (field, code, condition on `s`, the two message facts): each becomes one branch of CHECK.
CHECKS: tuple[tuple[str, str, str, str], ...] = (
    ("nip", "nip_in_other_agency", "s.state = 'other'", _NONE),
    ("nip", "employee_deleted", "s.state = 'deleted'", _NONE),
    ("name", "required_for_new", "s.state IS NULL AND s.name IS NULL", _NONE),
    ("employment_type", "required_for_new", "s.state IS NULL AND s.employment_type IS NULL", _NONE),
    ("rank", "rank_mismatch", f"s.rank IS NOT NULL AND {_MISMATCH}", _RANK_FACTS),
    ("employment_type", "rank_mismatch", f"s.rank IS NULL AND {_MISMATCH}", _RANK_FACTS),
    (
        "position_since",
        "backdated",
        "s.pos_changed AND s.position_from IS NOT NULL AND COALESCE(s.position_since, :today) < s.position_from",
        "CAST(s.position_from AS VARCHAR(40)), CAST(NULL AS VARCHAR(40))",
    ),
    (
        "rank_since",
        "backdated",
        "s.rank_changed AND s.rank_from IS NOT NULL AND COALESCE(s.rank_since, :today) < s.rank_from",
        "CAST(s.rank_from AS VARCHAR(40)), CAST(NULL AS VARCHAR(40))",
    ),
    (
        "education_level",
        "backdated",
        "s.edu_changed AND s.education_from IS NOT NULL AND :today < s.education_from",
        "CAST(s.education_from AS VARCHAR(40)), CAST(NULL AS VARCHAR(40))",
    ),
    (
        "position_since",
        "date_without_change",
        "s.state = 'existing' AND NOT s.pos_changed AND s.position_since IS NOT NULL"
        " AND s.position_since IS DISTINCT FROM s.old_position_since",
        "CAST(s.old_position_since AS VARCHAR(40)), CAST(NULL AS VARCHAR(40))",
    ),
    (
        "rank_since",
        "date_without_change",
        "s.state = 'existing' AND NOT s.rank_changed AND s.rank_since IS NOT NULL"
        " AND s.rank_since IS DISTINCT FROM s.old_rank_since",
        "CAST(s.old_rank_since AS VARCHAR(40)), CAST(NULL AS VARCHAR(40))",
    ),
)
CHECK = " UNION ALL ".join(
    f"SELECT s.row_no, '{field}', '{code}', {facts} FROM {STAGE} s WHERE {condition}"
    for field, code, condition, facts in CHECKS
)
FACT_NAMES = {"rank_mismatch": ("rank", "employment_type"), "backdated": ("date",), "date_without_change": ("date",)}

CLOSE = {
    "position_history": ("pos_changed", "COALESCE(s.position_since, :today)"),
    "rank_history": ("rank_changed", "COALESCE(s.rank_since, :today)"),
    "education_history": ("edu_changed", ":today"),
}
CLOSE_SQL = {
    table: f"""
UPDATE {table} SET valid_to = {end}, updated_at = :now, updated_by = :actor, version = {table}.version + 1
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

INSERT = f"""
INSERT INTO employees (nip, name, employment_type, agency_id, unit_id, position_id, position_since, level_since,
  rank, rank_order, rank_since, education_level, email, phone, birth_date, gender, retirement_date, source,
  source_fetched_at, created_at, created_by, updated_at, updated_by, version)
SELECT nip, name, employment_type, :agency, COALESCE(unit_id, position_unit_id), position_id,
  CASE WHEN position_id IS NOT NULL THEN COALESCE(position_since, :today) END,
  CASE WHEN position_id IS NOT NULL THEN COALESCE(level_since, position_since, :today) END,
  rank, rank_order, CASE WHEN rank IS NOT NULL THEN COALESCE(rank_since, :today) END,
  education_level, email, phone, birth_date, gender, retirement_date, :source, :fetched_at,
  :now, :actor, :now, :actor, 1
FROM {STAGE} WHERE state IS NULL
ON CONFLICT (nip) DO NOTHING
"""

_AUDIT = ":source, :now, :actor, :now, :actor, 1"
_GUARD = f"FROM {STAGE} s JOIN employees e ON e.nip = s.nip AND e.agency_id = :agency"
OPEN_SQL = (
    f"""
INSERT INTO position_history (id, nip, agency_id, unit_id, position_id, level, valid_from, valid_to, source,
  created_at, created_by, updated_at, updated_by, version)
SELECT s.position_history_id, s.nip, :agency, COALESCE(s.unit_id, s.position_unit_id), s.position_id, s.position_level,
  COALESCE(s.position_since, :today), NULL, {_AUDIT}
{_GUARD} WHERE s.position_id IS NOT NULL AND (s.state IS NULL OR s.pos_changed)
""",
    f"""
INSERT INTO rank_history (id, nip, rank, rank_order, valid_from, valid_to, source,
  created_at, created_by, updated_at, updated_by, version)
SELECT s.rank_history_id, s.nip, s.rank, s.rank_order, COALESCE(s.rank_since, :today), NULL, {_AUDIT}
{_GUARD} WHERE s.rank IS NOT NULL AND (s.state IS NULL OR s.rank_changed)
""",
    f"""
INSERT INTO education_history (id, nip, level, institution, major, graduated_on, valid_from, valid_to, source,
  created_at, created_by, updated_at, updated_by, version)
SELECT s.education_history_id, s.nip, s.education_level, NULL, NULL, NULL, :today, NULL, {_AUDIT}
{_GUARD} WHERE s.education_level IS NOT NULL AND (s.state IS NULL OR s.edu_changed)
""",
)

COUNT = f"""
SELECT COALESCE(SUM(CASE WHEN state IS NULL THEN 1 ELSE 0 END), 0),
       COALESCE(SUM(CASE WHEN changed THEN 1 ELSE 0 END), 0), COUNT(*)
FROM {STAGE}
"""
