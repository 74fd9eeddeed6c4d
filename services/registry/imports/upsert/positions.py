"""Set-based upsert of an agency's positions keyed by (agency, unit, name), by the rules of PATCH /v1/positions.

Positions are matched in Python (an agency has thousands, not millions) and written with two statements.
A position's level cannot change while someone holds it. Call `stage` under the agency lock."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

from sqlalchemy import Boolean, Integer, SmallInteger, String, text
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.employees.rules import PNS_RANKS
from services.registry.imports.messages import RowError, row_error
from services.registry.imports.upsert.checks import text_check
from services.registry.imports.upsert.staging import Outcome, Stage, WriteContext, bulk_ids, sql
from services.registry.positions.rules import (
    COMPETENCIES,
    COMPETENCY_LEVEL_RANGE,
    POSITION_TYPES,
    functional_level_problem,
    position_level,
)
from services.registry.positions.schemas import PositionName

STAGE = "stage_positions"
STANDARD = tuple("std_" + c for c in COMPETENCIES)
VALUES = ("unit_id", "name", "position_type", "functional_level", "level", "is_key", "national", "min_rank", *STANDARD)
_NAME = text_check(PositionName)


class PositionRow(NamedTuple):
    """A position of the agency; None = not given (kept; on create: the API's default)."""

    row: int
    unit_id: str
    name: str
    position_type: str | None = None
    functional_level: str | None = None
    is_key: bool | None = None
    national: bool | None = None
    min_rank: str | None = None
    standard: Mapping[str, int] | None = None  # replaces the whole standard when given


def match_key(unit_id: str, name: str) -> tuple[str, str]:
    """Positions match on unit and name, ignoring case and repeated spaces."""
    return unit_id, " ".join(name.lower().split())


class PositionUpsert:
    """Checks positions against the agency's and writes them."""

    whole_file = True

    def __init__(self, context: WriteContext) -> None:
        self.context = context
        kinds: dict[str, Any] = {"is_key": Boolean, "national": Boolean} | dict.fromkeys(STANDARD, SmallInteger)
        columns = (("row_no", Integer), ("id", String(36)), *((n, kinds.get(n, String(200))) for n in VALUES),
                   ("is_new", Boolean), ("changed", Boolean), ("old_level", String(20)))  # fmt: skip
        self.stage_table = Stage(STAGE, columns, loaded=len(columns))

    async def prepare(self, session: AsyncSession) -> None:
        """Create the stage."""
        await self.stage_table.create(session)

    async def stage(self, session: AsyncSession, rows: Sequence[PositionRow]) -> list[RowError]:
        """Check every row, merge it with the position it names (if any), and stage the good ones."""
        params = {"agency": self.context.agency_id}
        units = {r[0] for r in await session.execute(text("SELECT id FROM units WHERE agency_id = :agency"), params)}
        query = text(f"SELECT id, {', '.join(VALUES)} FROM positions WHERE agency_id = :agency")
        existing: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for record in (await session.execute(query, params)).mappings():
            existing.setdefault(match_key(record["unit_id"], record["name"]), []).append(dict(record))
        errors: list[RowError] = []
        records: list[tuple[Any, ...]] = []
        seen: dict[tuple[str, str], list[int]] = {}
        for row in rows:
            seen.setdefault(match_key(row.unit_id, row.name), []).append(row.row)
        ids = iter(bulk_ids(len(rows)))
        for row in rows:
            key = match_key(row.unit_id, row.name)
            if len(seen[key]) > 1:
                errors.append(row_error(row.row, "name", "duplicate_in_file", count=len(seen[key]), first=seen[key][0]))
                continue
            found = _merge(row, existing.get(key, []), units, next(ids))
            if isinstance(found, tuple):
                records.append(found)
            else:
                errors += found
        await self.stage_table.append(session, records)
        return errors

    async def check_file(self, session: AsyncSession) -> list[RowError]:
        """Nothing: `stage` checks the whole file, a key twice included."""
        return []

    async def check(self, session: AsyncSession) -> list[RowError]:
        """Refuse a level change of a position someone holds (their retirement age depends on it)."""
        held = await session.execute(
            text(
                f"SELECT s.row_no FROM {STAGE} s WHERE NOT s.is_new AND s.level <> s.old_level AND EXISTS "
                "(SELECT 1 FROM employees e WHERE e.position_id = s.id AND e.deleted_at IS NULL) ORDER BY s.row_no"
            )
        )
        return [row_error(int(r[0]), "position_type", "position_in_use") for r in held]

    async def write(
        self, session: AsyncSession, refused: Sequence[int], writing: Callable[[], None] | None = None
    ) -> Outcome:
        """Insert new positions and update changed ones. `writing` is called as the statements that write begin
        (an import then lets the process's reader go on)."""
        await self.stage_table.discard(session, refused)
        params = self.context.params()
        if writing is not None:
            writing()
        counts = await session.execute(
            text(f"SELECT COALESCE(SUM(CASE WHEN is_new THEN 1 ELSE 0 END), 0), "
                 f"COALESCE(SUM(CASE WHEN changed THEN 1 ELSE 0 END), 0), COUNT(*) FROM {STAGE}")
        )  # fmt: skip
        created, changed, total = counts.one()
        assign = ", ".join(f"{name} = s.{name}" for name in VALUES)
        await session.execute(
            sql(f"UPDATE positions SET {assign}, updated_at = :now, updated_by = :actor, "
                f"version = positions.version + 1 FROM {STAGE} s WHERE positions.id = s.id AND s.changed"),
            params,
        )  # fmt: skip
        await session.execute(
            sql(f"INSERT INTO positions (id, agency_id, {', '.join(VALUES)}, created_at, created_by, updated_at, "
                f"updated_by, version) SELECT id, :agency, {', '.join(VALUES)}, :now, :actor, :now, :actor, 1 "
                f"FROM {STAGE} WHERE is_new"),
            params,
        )  # fmt: skip
        await self.stage_table.drop(session)
        return Outcome(created=int(created), updated=int(changed), unchanged=int(total) - int(created) - int(changed))


def _merge(
    row: PositionRow, matches: list[dict[str, Any]], units: set[str], new_id: str
) -> tuple[Any, ...] | list[RowError]:
    """The staged record: the row over the position it names (or the API's defaults for a new one)."""
    if len(matches) > 1:
        return [row_error(row.row, "name", "ambiguous_position", value=row.name)]
    old = matches[0] if matches else None
    errors = _row_errors(row, units, old is None)
    if errors:
        return errors
    merged: dict[str, Any] = dict(old) if old else {"is_key": False, "national": False, "min_rank": None}
    merged |= {"unit_id": row.unit_id, "name": row.name}
    merged |= {k: v for k in ("is_key", "national", "min_rank") if (v := getattr(row, k)) is not None}
    if row.functional_level is not None:
        merged["functional_level"] = row.functional_level
    elif row.position_type is not None and row.position_type != "fungsional":
        merged["functional_level"] = None  # as PATCH: a structural position has no functional level
    if row.position_type is not None:
        merged["position_type"] = row.position_type
    if row.standard is not None:
        merged |= {"std_" + c: row.standard.get(c) for c in COMPETENCIES}
    problem = functional_level_problem(merged["position_type"], merged.get("functional_level"))
    if problem is not None:
        code = "functional_level_required" if "required" in problem else "functional_level_forbidden"
        return [row_error(row.row, "functional_level", code)]
    merged["level"] = position_level(merged["position_type"], merged.get("functional_level"))
    changed = old is not None and any(merged.get(k) != old.get(k) for k in VALUES)
    old_level = old["level"] if old else None
    return (row.row, old["id"] if old else new_id, *(merged.get(k) for k in VALUES), old is None, changed, old_level)


def _row_errors(row: PositionRow, units: set[str], is_new: bool) -> list[RowError]:
    errors = []
    if row.unit_id not in units:
        errors.append(row_error(row.row, "unit_id", "unknown_unit", value=row.unit_id))
    if not _NAME(row.name):
        errors.append(row_error(row.row, "name", "invalid_format", value=row.name[:60]))
    if row.position_type is None and is_new:
        errors.append(row_error(row.row, "position_type", "required_for_new"))
    elif row.position_type is not None and row.position_type not in POSITION_TYPES:
        choices = ", ".join(POSITION_TYPES)
        errors.append(row_error(row.row, "position_type", "invalid_choice", value=row.position_type, choices=choices))
    if row.min_rank is not None and row.min_rank not in PNS_RANKS:
        errors.append(row_error(row.row, "min_rank", "invalid_rank", value=row.min_rank))
    low, high = COMPETENCY_LEVEL_RANGE
    for code, level in (row.standard or {}).items():
        if code not in COMPETENCIES:
            errors.append(row_error(row.row, "std_" + code, "unknown_field", value=code))
        elif not low <= level <= high:
            errors.append(row_error(row.row, "std_" + code, "out_of_range", low=low, high=high))
    return errors
