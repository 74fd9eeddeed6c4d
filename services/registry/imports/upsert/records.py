"""Set-based upsert of an employee's dated records (ratings, assessments, sanctions, awards) by natural key.

A record whose key exists with the same values is left alone; with other values it is updated (a rating is
superseded by a new version instead, as PUT .../performance-ratings/{year} does); a new key is inserted. Rows
inserted or updated take the context's `source` and `fetched_at`; `source_fetched_at` is no value compared, so a
re-sync fetched later leaves an identical record (and its fetched time) alone."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Boolean, Integer, String, text
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.imports.messages import RowError, row_error
from services.registry.imports.upsert.keys import keys_checked_once
from services.registry.imports.upsert.staging import (
    Outcome,
    Stage,
    WriteContext,
    id_prefix,
    lock_agency,
    ordered_id,
    sql,
)

Columns = tuple[tuple[str, Any], ...]
ToRecord = Callable[[Any, WriteContext], "tuple[Any, ...] | list[RowError]"]


@dataclass(frozen=True)
class RecordKind:
    """A table of employee records: its natural key (after nip), its value columns, and the row checks."""

    table: str
    keys: Columns
    values: Columns
    to_record: ToRecord  # a caller's row -> (row_no, nip, *keys, *values) or why it is refused
    versioned: bool = False  # ratings: a changed record is superseded by a new version

    @property
    def stage_name(self) -> str:
        """The temporary table of this kind."""
        return "stage_" + self.table


class RecordUpsert:
    """Stage rows of one record kind, find refusals, write; see `upsert_records`."""

    def __init__(self, kind: RecordKind, context: WriteContext) -> None:
        self.kind = kind
        self.context = context
        loaded = (("row_no", Integer), ("nip", String(18)), *kind.keys, *kind.values)
        state = (("cur_id", String(36)), ("cur_version", Integer), ("changed", Boolean))
        self.stage_table = Stage(kind.stage_name, (*loaded, *state), loaded=len(loaded))
        self.keys = ("nip", *(name for name, _ in kind.keys))  # the natural key

    async def prepare(self, session: AsyncSession) -> None:
        """Create the stage."""
        await self.stage_table.create(session)

    async def stage(self, session: AsyncSession, rows: Sequence[Any]) -> list[RowError]:
        """Check each row by the registry's rules and stage the good ones; answers the refused rows."""
        records, errors = self.records(rows)
        await self.append(session, records)
        return errors

    def records(self, rows: Sequence[Any]) -> tuple[list[tuple[Any, ...]], list[RowError]]:
        """The stage records of the good rows, and the errors of the others (CPU only: run it in a thread)."""
        errors: list[RowError] = []
        records: list[tuple[Any, ...]] = []
        for row in rows:
            found = self.kind.to_record(row, self.context)
            if isinstance(found, tuple):
                records.append(found)
            else:
                errors.extend(found)
        return records, errors

    async def append(self, session: AsyncSession, records: Sequence[tuple[Any, ...]]) -> None:
        """Add records made by `records` to the stage."""
        await self.stage_table.append(session, records)

    async def check_file(self, session: AsyncSession) -> list[RowError]:
        """What the staged rows alone show: a key twice. Needs no lock: call it once every row is staged."""
        await self.stage_table.analyze(session, self.keys)
        return await self.stage_table.duplicates(session, self.keys, self.kind.keys[0][0])

    async def check(self, session: AsyncSession) -> list[RowError]:
        """Match staged rows to the registry (call under the agency lock, after `check_file`); answers what it
        refuses."""
        stage, table = self.kind.stage_name, self.kind.table
        keys = " ".join(f"AND r.{name} = {stage}.{name}" for name, _ in self.kind.keys)
        differs = " OR ".join(f"{stage}.{name} IS DISTINCT FROM r.{name}" for name, _ in self.kind.values)
        current = "AND r.superseded_at IS NULL" if self.kind.versioned else ""
        await session.execute(
            text(
                f"UPDATE {stage} SET cur_id = r.id, cur_version = r.version, changed = ({differs}) "
                f"FROM {table} r WHERE r.nip = {stage}.nip {keys} {current}"
            )
        )
        missing = await session.execute(
            text(
                f"SELECT s.row_no FROM {stage} s WHERE NOT EXISTS (SELECT 1 FROM employees e WHERE e.nip = s.nip "
                "AND e.agency_id = :agency AND e.deleted_at IS NULL) ORDER BY s.row_no"
            ),
            {"agency": self.context.agency_id},
        )
        return [row_error(int(r[0]), "nip", "unknown_employee") for r in missing]

    async def write(
        self, session: AsyncSession, refused: Sequence[int], writing: Callable[[], None] | None = None
    ) -> Outcome:
        """Write every staged row not refused: update (or supersede) changed records, insert new ones.
        `writing` is called as the statements that write begin (an import then lets the process's reader go on)."""
        await self.stage_table.discard(session, refused)
        stage, params = self.kind.stage_name, self.context.params()
        counts = await session.execute(
            text(
                f"SELECT COALESCE(SUM(CASE WHEN cur_id IS NULL THEN 1 ELSE 0 END), 0), "
                f"COALESCE(SUM(CASE WHEN changed THEN 1 ELSE 0 END), 0), COUNT(*) FROM {stage}"
            )
        )
        created, changed, total = (int(v) for v in counts.one())
        if created or changed:
            # Every record written references its person, whom `check` found under `lock_agency`, which keeps
            # every person in place until this transaction ends: no row to lock here (see `keys.py`).
            async with keys_checked_once(session, [], params):
                if writing is not None:
                    writing()
                await self._write(session, params, created, changed)
        await self.stage_table.drop(session)
        return Outcome(created=created, updated=changed, unchanged=total - created - changed)

    async def _write(self, session: AsyncSession, params: dict[str, Any], created: int, changed: int) -> None:
        stage, table = self.kind.stage_name, self.kind.table
        audit = "updated_at = :now, updated_by = :actor"
        if not changed:
            pass  # no update to run (it would scan the stage for nothing)
        elif self.kind.versioned:
            await session.execute(
                sql(f"UPDATE {table} SET superseded_at = :now, superseded_by = :actor, {audit} FROM {stage} s "
                    f"WHERE {table}.id = s.cur_id AND s.changed"),
                params,
            )  # fmt: skip
        else:
            assign = ", ".join(f"{name} = s.{name}" for name, _ in self.kind.values)
            await session.execute(
                sql(f"UPDATE {table} SET {assign}, source = :source, source_fetched_at = :fetched_at, {audit}, "
                    f"version = {table}.version + 1 "
                    f"FROM {stage} s WHERE {table}.id = s.cur_id AND s.changed"),
                params,
            )  # fmt: skip
        if created or (changed and self.kind.versioned):  # a changed rating is superseded by a new row
            await session.execute(sql(self._insert(session)), params | {"id_prefix": id_prefix()})

    def _insert(self, session: AsyncSession) -> str:
        """New records in natural-key order, ids rising in that order (see `staging.ordered_id`)."""
        stage, table = self.kind.stage_name, self.kind.table
        order = ", ".join(f"s.{name}" for name in self.keys)
        columns = [name for name, _ in (*self.kind.keys, *self.kind.values)]
        extra, extra_values, version, which = "", "", "1", "s.cur_id IS NULL"
        if self.kind.versioned:
            extra, extra_values = ", superseded_at, superseded_by", ", NULL, NULL"
            version, which = "COALESCE(s.cur_version, 0) + 1", "(s.cur_id IS NULL OR s.changed)"
        new_id = ordered_id(session, order)
        return (
            f"INSERT INTO {table} (id, nip, source, source_fetched_at, {', '.join(columns)}{extra}, created_at, "
            f"created_by, updated_at, updated_by, version) SELECT {new_id}, s.nip, :source, :fetched_at, "
            f"{', '.join('s.' + c for c in columns)}{extra_values}, :now, :actor, :now, :actor, {version} "
            f"FROM {stage} s WHERE {which} ORDER BY {order}"
        )


async def upsert_records(
    session: AsyncSession, kind: RecordKind, context: WriteContext, rows: Sequence[Any], *, atomic: bool = False
) -> Outcome:
    """Create or update records of `kind` for employees of `context.agency_id`; errors name the refused rows.

    `atomic`: write nothing when any row is refused. The caller's transaction is used and not committed."""
    upsert = RecordUpsert(kind, context)
    await upsert.prepare(session)
    errors = await upsert.stage(session, rows) + await upsert.check_file(session)
    await lock_agency(session, context.agency_id)
    errors = sorted(errors + await upsert.check(session), key=lambda e: e.row)
    if atomic and errors:
        await upsert.stage_table.drop(session)
        return Outcome(errors=errors)
    outcome = await upsert.write(session, [e.row for e in errors])
    outcome.errors = errors
    return outcome
