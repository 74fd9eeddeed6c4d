"""Set-based upsert of employees keyed by NIP, with the registry's history rules.

A new position, rank or education level closes the person's current history row and opens a new one (dated
`position_since` / `rank_since`, default today), exactly as PATCH /v1/employees/{nip} does, but for every
staged row in one statement per table. Writing the same rows again changes nothing (no version bump, no row)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from sqlalchemy import Boolean, Date, Integer, SmallInteger, String, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.db import is_postgres
from services.registry.employees.rules import (
    EDUCATION_LEVELS,
    EMPLOYMENT_TYPES,
    PNS_RANKS,
    PPPK_RANKS,
    InvalidNip,
    NipFacts,
    parse_nip,
    rank_order,
    rank_problem,
    retirement_date,
)
from services.registry.employees.schemas import Email, Name, Phone
from services.registry.imports.messages import RowError, row_error
from services.registry.imports.upsert import employees_sql as q
from services.registry.imports.upsert.checks import text_check
from services.registry.imports.upsert.keys import keys_checked_once
from services.registry.imports.upsert.staging import (
    ConcurrentWrite,
    Outcome,
    Stage,
    WriteContext,
    id_prefix,
    lock_agency,
    ordered_id,
    sql,
)


class EmployeeRow(NamedTuple):
    """One employee to create or update; ids are the registry's. None = not given: kept (empty when new)."""

    row: int  # where the row came from (file row, or any number the caller reports errors by)
    nip: str
    name: str | None = None
    employment_type: str | None = None
    unit_id: str | None = None
    position_id: str | None = None
    position_since: dt.date | None = None
    level_since: dt.date | None = None
    rank: str | None = None
    rank_since: dt.date | None = None
    education_level: str | None = None
    email: str | None = None
    phone: str | None = None


_LOADED = (
    ("row_no", Integer), ("nip", String(18)), ("name", String(200)),
    ("employment_type", String(8)), ("unit_id", String(36)), ("position_id", String(36)),
    ("position_level", String(20)), ("position_unit_id", String(36)), ("position_since", Date), ("level_since", Date),
    ("rank", String(8)), ("rank_order", SmallInteger), ("rank_since", Date),
    ("education_level", String(4)), ("email", String(254)), ("phone", String(32)),
    ("birth_date", Date), ("gender", String(8)), ("retirement_date", Date),
)  # fmt: skip
_CLASSIFIED = (
    ("state", String(8)), ("old_employment_type", String(8)), ("old_position_id", String(36)),
    ("old_level", String(20)), ("old_position_since", Date), ("old_level_since", Date), ("old_rank", String(8)),
    ("old_rank_since", Date), ("position_from", Date), ("rank_from", Date), ("education_from", Date),
    ("pos_changed", Boolean), ("rank_changed", Boolean), ("edu_changed", Boolean), ("changed", Boolean),
)  # fmt: skip
_TEXT = {"name": text_check(Name), "email": text_check(Email), "phone": text_check(Phone)}
_RANK_ORDERS = {rank: rank_order(rank) for rank in (*PNS_RANKS, *PPPK_RANKS)}  # every rank code -> its order
_NO_POSITION: tuple[str | None, str | None] = (None, None)  # (level, unit_id) of a row naming no position


class EmployeeUpsert:
    """Stage employee rows (checked by the registry's rules), find refusals, write: see `upsert_employees`."""

    def __init__(self, context: WriteContext) -> None:
        self.context = context
        self.stage_table = Stage(q.STAGE, [*_LOADED, *_CLASSIFIED], loaded=len(_LOADED))
        self.units: set[str] = set()
        self.positions: dict[str, tuple[str, str]] = {}  # id -> (level, unit_id)
        self.referenced_units: set[str] = set()  # by the staged rows, directly or through their position
        self.referenced_positions: set[str] = set()

    async def prepare(self, session: AsyncSession) -> None:
        """Create the stage and load the agency's units and position levels."""
        await self.stage_table.create(session)
        params = {"agency": self.context.agency_id}
        units = await session.execute(text("SELECT id FROM units WHERE agency_id = :agency"), params)
        self.units = {row[0] for row in units}
        query = text("SELECT id, level, unit_id FROM positions WHERE agency_id = :agency")
        self.positions = {row[0]: (row[1], row[2]) for row in await session.execute(query, params)}

    async def stage(self, session: AsyncSession, rows: Sequence[EmployeeRow]) -> list[RowError]:
        """Check each row by the registry's rules and stage the good ones; answers the refused rows."""
        records, errors = self.records(rows)
        await self.append(session, records)
        return errors

    def records(self, rows: Sequence[EmployeeRow]) -> tuple[list[tuple[Any, ...]], list[RowError]]:
        """The stage records of the good rows, and the errors of the others (CPU only: run it in a thread)."""
        errors: list[RowError] = []
        records: list[tuple[Any, ...]] = []
        for row in rows:
            found = self._record(row)
            if isinstance(found, tuple):
                records.append(found)
            else:
                errors.extend(found)
        return records, errors

    async def append(self, session: AsyncSession, records: Sequence[tuple[Any, ...]]) -> None:
        """Add records made by `records` to the stage."""
        await self.stage_table.append(session, records)

    def _record(self, row: EmployeeRow) -> tuple[Any, ...] | list[RowError]:
        """`_checked_record`'s answer: the common row is passed without collecting its problems (each of these
        tests is one of `_checked_record`'s), any other goes down that path."""
        try:
            facts = parse_nip(row.nip)
        except InvalidNip:
            return self._checked_record(row)
        kind, rank, position_id = row.employment_type, row.rank, row.position_id
        position = _NO_POSITION if position_id is None else self.positions.get(position_id)
        if (
            position is None
            or (row.unit_id is not None and row.unit_id not in self.units)
            or (kind is not None and kind not in EMPLOYMENT_TYPES)
            or (row.education_level is not None and row.education_level not in EDUCATION_LEVELS)
            or (rank is not None and (rank not in _RANK_ORDERS or (kind is not None and rank_problem(rank, kind))))
            or (row.name is not None and not _TEXT["name"](row.name))
            or (row.email is not None and not _TEXT["email"](row.email))
            or (row.phone is not None and not _TEXT["phone"](row.phone))
        ):
            return self._checked_record(row)
        return self._staged(row, facts, position)

    def _checked_record(self, row: EmployeeRow) -> tuple[Any, ...] | list[RowError]:
        """The stage record of a row that passes every check, or every problem of the row."""
        errors: list[RowError] = []
        try:
            facts = parse_nip(row.nip)
        except InvalidNip as exc:
            errors.append(row_error(row.row, "nip", "invalid_nip", reason=str(exc)))
        for name, value in (("name", row.name), ("email", row.email), ("phone", row.phone)):
            if value is not None and not _TEXT[name](value):
                errors.append(row_error(row.row, name, "invalid_format", value=str(value)[:60]))
        errors += self._codes(row)
        position = self.positions.get(row.position_id or "", _NO_POSITION)
        if row.position_id is not None and position is _NO_POSITION:
            errors.append(row_error(row.row, "position_id", "unknown_position", value=row.position_id))
        if row.unit_id is not None and row.unit_id not in self.units:
            errors.append(row_error(row.row, "unit_id", "unknown_unit", value=row.unit_id))
        if errors:
            return errors
        return self._staged(row, facts, position)

    def _staged(self, row: EmployeeRow, facts: NipFacts, position: tuple[str | None, str | None]) -> tuple[Any, ...]:
        """The stage record of a checked row; notes the units and positions it references (`write` locks them)."""
        level, position_unit = position
        for unit in (row.unit_id, position_unit):
            if unit is not None:
                self.referenced_units.add(unit)
        if row.position_id is not None:
            self.referenced_positions.add(row.position_id)
        order = _RANK_ORDERS[row.rank] if row.rank is not None else None
        return (
            row.row, row.nip, row.name, row.employment_type, row.unit_id, row.position_id, level, position_unit,
            row.position_since, row.level_since, row.rank, order, row.rank_since, row.education_level,
            row.email, row.phone, facts.birth_date, facts.gender, retirement_date(facts.birth_date, level),
        )  # fmt: skip

    @staticmethod
    def _codes(row: EmployeeRow) -> list[RowError]:
        errors = []
        for field, value, codes in (
            ("employment_type", row.employment_type, EMPLOYMENT_TYPES),
            ("education_level", row.education_level, EDUCATION_LEVELS),
        ):
            if value is not None and value not in codes:
                errors.append(row_error(row.row, field, "invalid_choice", value=value, choices=", ".join(codes)))
        if row.rank is not None:
            try:
                rank_order(row.rank)
            except KeyError:
                errors.append(row_error(row.row, "rank", "invalid_rank", value=row.rank))
            else:
                kind = row.employment_type
                if kind in EMPLOYMENT_TYPES and rank_problem(row.rank, kind):
                    errors.append(row_error(row.row, "rank", "rank_mismatch", rank=row.rank, employment_type=kind))
        return errors

    async def check_file(self, session: AsyncSession) -> list[RowError]:
        """What the staged rows alone show: a NIP twice. Needs no lock: call it once every row is staged."""
        await self.stage_table.analyze(session, ["nip"])
        return await self.stage_table.duplicates(session, ["nip"], "nip")

    async def check(self, session: AsyncSession) -> list[RowError]:
        """Classify the staged rows against the registry and answer what it refuses (call under the agency lock,
        after `check_file`)."""
        params = self.context.params()
        await session.execute(sql(q.CLASSIFY), params)
        found = await session.execute(sql(q.CHECK), params)
        errors: list[RowError] = []
        names = list(q.FACTS)
        for record in found.all():
            flags, facts = record[1 : 1 + len(q.CHECKS)], dict(zip(names, record[1 + len(q.CHECKS) :], strict=True))
            for flag, (field, code, _, quoted) in zip(flags, q.CHECKS, strict=True):
                if flag:
                    params = {name: str(facts[fact]) for name, fact in quoted.items()}
                    errors.append(row_error(int(record[0]), field, code, **params))
        return sorted(errors, key=lambda e: e.row)

    async def write(
        self, session: AsyncSession, refused: Sequence[int], writing: Callable[[], None] | None = None
    ) -> Outcome:
        """Write every staged row not refused: close and open history rows, update and insert employees.
        `writing` is called as the statements that write begin (an import then lets the process's reader go on)."""
        await self.stage_table.discard(session, refused)
        params = self.context.params()
        created, changed, total = (int(v) for v in (await session.execute(text(q.COUNT))).one())
        # A statement that would touch no row is not run (each scans the stage): no person changed -> no history
        # closed and no update; nobody new -> no insert; neither -> no history opened.
        if created or changed:
            referenced = {"units": sorted(self.referenced_units), "positions": sorted(self.referenced_positions)}
            async with keys_checked_once(session, q.REFERENCES, params | referenced):
                if writing is not None:
                    writing()
                await self._write(session, params, created, changed)
        await self.stage_table.drop(session)
        return Outcome(created=created, updated=changed, unchanged=total - created - changed)

    async def _write(self, session: AsyncSession, params: dict[str, Any], created: int, changed: int) -> None:
        if changed:
            for statement in q.CLOSE_SQL.values():
                await session.execute(sql(statement), params)
            await session.execute(sql(q.UPDATE), params)
        if is_postgres(session):
            prefixes = {f"{table}_prefix": id_prefix() for table in q.OPENED}
            try:
                await session.execute(sql(q.insert_and_open_sql()), params | prefixes)
            except IntegrityError as exc:  # someone created one of these NIPs after the check (the primary key)
                raise ConcurrentWrite("employees were created concurrently with this write") from exc
            return
        if created:
            inserted = getattr(await session.execute(sql(q.INSERT), params), "rowcount", created)
            if inserted != created:
                # Someone else created some of these NIPs after the check (a single-record POST, another agency's
                # import): their history must not be opened here (the caller rolls the whole write back).
                raise ConcurrentWrite("employees were created concurrently with this write")
        for statement in q.open_sql(ordered_id(session, "s.nip")):
            await session.execute(sql(statement), params | {"id_prefix": id_prefix()})


async def upsert_employees(
    session: AsyncSession, context: WriteContext, rows: Sequence[EmployeeRow], *, atomic: bool = False
) -> Outcome:
    """Create or update employees of `context.agency_id` by NIP, with history; errors name the refused rows.

    `atomic`: write nothing when any row is refused. The caller's transaction is used and not committed."""
    upsert = EmployeeUpsert(context)
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
