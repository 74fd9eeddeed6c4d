"""Set-based upsert of an agency's units keyed by (agency, code), keeping the unit tree a tree.

Units are few (thousands per agency), so the tree is checked in Python over the whole file at once; the
writes are still two statements over the stage. Call `stage` under the agency lock (it reads the tree)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from sqlalchemy import Boolean, Integer, String, text
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.imports.messages import RowError, row_error
from services.registry.imports.upsert.checks import text_check
from services.registry.imports.upsert.staging import Outcome, Stage, WriteContext, bulk_ids, sql
from services.registry.units.schemas import UnitCode, UnitName
from services.registry.units.service import MAX_TREE_DEPTH

_CODE, _NAME = text_check(UnitCode), text_check(UnitName)
STAGE = "stage_units"


class UnitRow(NamedTuple):
    """A unit of the agency: its code (the key), name, and parent (a unit code or id; None = a top unit)."""

    row: int
    code: str
    name: str
    parent: str | None = None


class _Existing(NamedTuple):
    id: str
    code: str | None
    name: str
    parent_id: str | None


class UnitUpsert:
    """Checks units against the agency's tree and writes them."""

    whole_file = True

    def __init__(self, context: WriteContext) -> None:
        self.context = context
        columns = (("row_no", Integer), ("id", String(36)), ("code", String(50)), ("name", String(200)),
                   ("parent_id", String(36)), ("is_new", Boolean), ("changed", Boolean))  # fmt: skip
        self.stage_table = Stage(STAGE, columns, loaded=len(columns))

    async def prepare(self, session: AsyncSession) -> None:
        """Create the stage."""
        await self.stage_table.create(session)

    async def stage(self, session: AsyncSession, rows: Sequence[UnitRow]) -> list[RowError]:
        """Check every row (codes, names, parents, no cycles, no code twice) and stage the good ones."""
        query = text("SELECT id, code, name, parent_id FROM units WHERE agency_id = :agency")
        existing = [_Existing(*r) for r in await session.execute(query, {"agency": self.context.agency_id})]
        by_code = {u.code: u for u in existing if u.code is not None}
        errors = [e for row in rows for e in _row_errors(row)] + _duplicates(rows)
        fresh = iter(bulk_ids(len(rows)))
        ids = {row.code: by_code[row.code].id if row.code in by_code else next(fresh) for row in rows}
        parents = {row.row: _parent(row.parent, by_code, {u.id for u in existing}, ids) for row in rows}
        errors += [
            row_error(r.row, "parent", "unknown_parent", value=r.parent)
            for r in rows
            if r.parent is not None and parents[r.row] is None
        ]
        errors += _refuse_broken_tree(rows, errors, ids, parents, {u.id: u.parent_id for u in existing})
        bad = {e.row for e in errors}
        records = [self._record(row, ids[row.code], parents[row.row], by_code) for row in rows if row.row not in bad]
        await self.stage_table.append(session, records)
        return sorted(errors, key=lambda e: e.row)

    @staticmethod
    def _record(row: UnitRow, unit_id: str, parent: str | None, by_code: dict[str, _Existing]) -> tuple[Any, ...]:
        old = by_code.get(row.code)
        changed = old is not None and (old.name, old.parent_id) != (row.name, parent)
        return (row.row, unit_id, row.code, row.name, parent, old is None, changed)

    async def check_file(self, session: AsyncSession) -> list[RowError]:
        """Nothing: `stage` checks the whole file, a key twice included."""
        return []

    async def check(self, session: AsyncSession) -> list[RowError]:
        """Nothing more to check: `stage` did it all."""
        return []

    async def write(
        self, session: AsyncSession, refused: Sequence[int], writing: Callable[[], None] | None = None
    ) -> Outcome:
        """Insert new units and update changed ones (parents within one statement, so order does not matter).
        `writing` is called as the statements that write begin (an import then lets the process's reader go on)."""
        await self.stage_table.discard(session, refused)
        params = self.context.params()
        if writing is not None:
            writing()
        counts = await session.execute(
            text(f"SELECT COALESCE(SUM(CASE WHEN is_new THEN 1 ELSE 0 END), 0), "
                 f"COALESCE(SUM(CASE WHEN changed THEN 1 ELSE 0 END), 0), COUNT(*) FROM {STAGE}")
        )  # fmt: skip
        created, changed, total = counts.one()
        await session.execute(
            sql(f"INSERT INTO units (id, agency_id, parent_id, name, code, created_at, created_by, updated_at, "
                f"updated_by, version) SELECT id, :agency, NULL, name, code, :now, :actor, :now, :actor, 1 "
                f"FROM {STAGE} WHERE is_new"),
            params,
        )  # fmt: skip
        # Parents second: a new unit may hang under another new one.
        await session.execute(
            sql(f"UPDATE units SET name = s.name, parent_id = s.parent_id, updated_at = :now, updated_by = :actor, "
                f"version = units.version + CASE WHEN s.is_new THEN 0 ELSE 1 END FROM {STAGE} s "
                f"WHERE units.id = s.id AND (s.changed OR (s.is_new AND s.parent_id IS NOT NULL))"),
            params,
        )  # fmt: skip
        await self.stage_table.drop(session)
        return Outcome(created=int(created), updated=int(changed), unchanged=int(total) - int(created) - int(changed))


def _row_errors(row: UnitRow) -> list[RowError]:
    errors = []
    for field, accepts, value in (("code", _CODE, row.code), ("name", _NAME, row.name)):
        if not accepts(value):
            errors.append(row_error(row.row, field, "invalid_format", value=value[:60]))
    return errors


def _duplicates(rows: Sequence[UnitRow]) -> list[RowError]:
    seen: dict[str, list[int]] = {}
    for row in rows:
        seen.setdefault(row.code, []).append(row.row)
    return [
        row_error(r, "code", "duplicate_in_file", count=len(group), first=group[0])
        for group in seen.values()
        if len(group) > 1
        for r in group
    ]


def _parent(ref: str | None, by_code: dict[str, _Existing], known: set[str], ids: dict[str, str]) -> str | None:
    if ref is None:
        return None
    if ref in ids:
        return ids[ref]
    if ref in by_code:
        return by_code[ref].id
    return ref if ref in known else None


def _refuse_broken_tree(
    rows: Sequence[UnitRow],
    errors: list[RowError],
    ids: dict[str, str],
    parents: dict[int, str | None],
    tree: dict[str, str | None],
) -> list[RowError]:
    """Rows under a refused new unit, and rows that would close a cycle, until no more fall."""
    found: list[RowError] = []
    bad = {e.row for e in errors}
    while True:
        good = [r for r in rows if r.row not in bad]
        missing = {ids[r.code] for r in rows if r.row in bad} - set(tree)
        graph = dict(tree) | {ids[r.code]: parents[r.row] for r in good}
        newly = [
            row_error(r.row, "parent", "unknown_parent", value=r.parent) for r in good if parents[r.row] in missing
        ]
        newly += [row_error(r.row, "parent", "unit_cycle") for r in good if _in_cycle(ids[r.code], graph)]
        if not newly:
            return found
        found += newly
        bad |= {e.row for e in newly}


def _in_cycle(unit_id: str, parents: dict[str, str | None]) -> bool:
    node = parents.get(unit_id)
    for _ in range(MAX_TREE_DEPTH):
        if node is None:
            return False
        if node == unit_id:
            return True
        node = parents.get(node)
    return True
