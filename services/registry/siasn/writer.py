"""Writing a batch of mapped people through the import package's set-based upserts, all-or-nothing per NIP.

The batch is written in a savepoint; when the registry's rules refuse a row, the savepoint is rolled back,
the NIPs it belongs to are reported invalid (with the field), and the batch is written again without them.
Afterwards a NIP is `created` (new employee), `updated` (some row stamped by this write) or `unchanged`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.employees.rules import rank_order
from services.registry.imports.messages import RowError
from services.registry.imports.upsert import (
    RATINGS,
    SANCTIONS,
    EmployeeRow,
    PositionRow,
    PositionUpsert,
    RatingRow,
    RecordKind,
    SanctionRow,
    WriteContext,
    lock_agency,
    upsert_employees,
    upsert_records,
)
from services.registry.imports.upsert.positions import match_key
from services.registry.siasn import kinds
from services.registry.siasn.mapping import Person, PositionSpec
from services.registry.siasn.repository import SiasnRepository

# Where a registry field refused by the upserts comes from in SIASN (for the per-NIP report).
EMPLOYEE_FIELDS = {
    "nip": "data-utama.nipBaru", "name": "data-utama.nama", "employment_type": "data-utama.jenisPegawaiNama",
    "rank": "data-utama.golRuangAkhirId", "rank_since": "data-utama.tmtGolAkhir", "unit_id": "data-utama.unorId",
    "position_id": "data-utama.jabatanNama", "position_since": "data-utama.tmtJabatan",
    "education_level": "data-utama.tkPendidikanTerakhir",
}  # fmt: skip
KIND_ENDPOINTS = {"performance_ratings": "rw-skp22", "disciplinary_actions": "rw-hukdis",
                  "training_history": "rw-diklat", "rank_history": "rw-golongan", "position_history": "rw-jabatan",
                  "education_history": "rw-pendidikan"}  # fmt: skip
Problem = tuple[str, str]  # (field, reason)


class _Refused(Exception):
    def __init__(self, problems: dict[str, Problem]) -> None:
        super().__init__(f"{len(problems)} NIPs refused")
        self.problems = problems


@dataclass
class BatchResult:
    """Per NIP: its outcome, and for `invalid` the field and the reason."""

    outcomes: dict[str, tuple[str, str | None, str | None]]


async def write_batch(
    session: AsyncSession, context: WriteContext, people: Sequence[Person], units: Mapping[str, str]
) -> BatchResult:
    """Write `people` into `context.agency_id` (the caller commits); NIPs the registry refuses are left out whole."""
    repository = SiasnRepository(session)
    existing = await repository.current([p.nip for p in people])
    refused: dict[str, Problem] = {}
    pending = list(people)
    while pending:
        try:
            async with session.begin_nested():
                problems = await _write(session, context, pending, units)
                if problems:
                    raise _Refused(problems)
        except _Refused as exc:
            refused |= exc.problems
            pending = [p for p in pending if p.nip not in exc.problems]
            continue
        break
    touched = await repository.touched([p.nip for p in pending], context.now) if pending else set()
    outcomes: dict[str, tuple[str, str | None, str | None]] = {
        nip: ("invalid", field, reason) for nip, (field, reason) in refused.items()
    }
    for person in pending:
        kind = "created" if person.nip not in existing else "updated" if person.nip in touched else "unchanged"
        outcomes[person.nip] = (kind, None, None)
    return BatchResult(outcomes)


async def _write(
    session: AsyncSession, context: WriteContext, people: list[Person], units: Mapping[str, str]
) -> dict[str, Problem]:
    await lock_agency(session, context.agency_id)
    position_ids, problems = await _positions(session, context, people, units)
    if problems:
        return problems
    employees = [_employee(i, p, units, position_ids) for i, p in enumerate(people)]
    outcome = await upsert_employees(session, context, employees, atomic=True)
    if outcome.errors:
        return _named(people, outcome.errors, EMPLOYEE_FIELDS, "data-utama")
    for kind, rows in _records(context, people, units, position_ids):
        outcome = await upsert_records(session, kind, context, rows, atomic=True)
        if outcome.errors:
            return _named(people, outcome.errors, {}, KIND_ENDPOINTS[kind.table])
    return {}


async def _positions(
    session: AsyncSession, context: WriteContext, people: list[Person], units: Mapping[str, str]
) -> tuple[dict[PositionSpec, str], dict[str, Problem]]:
    """Find or create every position the batch names (current and past), once per unit and name."""
    specs: dict[tuple[str, str], PositionSpec] = {}
    users: dict[tuple[str, str], list[str]] = {}
    for person in people:
        for spec in [person.position, *(s for s, _, _ in person.past_positions)]:
            if spec is not None:
                key = match_key(units[spec.unor_id], spec.name)
                specs.setdefault(key, spec)
                users.setdefault(key, []).append(person.nip)
    keys = list(specs)
    rows = [
        PositionRow(i, units[specs[k].unor_id], specs[k].name, specs[k].position_type, specs[k].functional_level)
        for i, k in enumerate(keys)
    ]
    upsert = PositionUpsert(context)
    await upsert.prepare(session)
    errors = await upsert.stage(session, rows)
    errors += await upsert.check(session)
    if errors:
        await upsert.stage_table.drop(session)
        return {}, {
            nip: ("data-utama.jabatanNama", f"position {specs[keys[e.row]].name!r}: {e.render()['message_en']}")
            for e in errors
            for nip in users[keys[e.row]]
        }
    await upsert.write(session, [])
    found = await SiasnRepository(session).position_keys(context.agency_id)
    return {spec: found[key] for key, spec in specs.items()}, {}


def _employee(
    index: int, person: Person, units: Mapping[str, str], position_ids: dict[PositionSpec, str]
) -> EmployeeRow:
    return EmployeeRow(
        row=index,
        nip=person.nip,
        name=person.name,
        employment_type=person.employment_type,
        unit_id=units[person.unor_id] if person.unor_id else None,
        position_id=position_ids[person.position] if person.position else None,
        position_since=person.position_since if person.position else None,
        rank=person.rank,
        rank_since=person.rank_since if person.rank else None,
        education_level=person.education_level,
    )


def _records(
    context: WriteContext, people: list[Person], units: Mapping[str, str], position_ids: dict[PositionSpec, str]
) -> list[tuple[RecordKind, list[Any]]]:
    """The record rows of every person, by kind (row = the person's index in the batch)."""
    rows: dict[str, list[Any]] = {
        name: [] for name in ("ratings", "sanctions", "trainings", "ranks", "positions", "edu")
    }
    for i, p in enumerate(people):
        rows["ratings"] += [RatingRow(i, p.nip, year, result, behavior) for year, result, behavior in p.ratings]
        rows["sanctions"] += [SanctionRow(i, p.nip, *sanction) for sanction in p.sanctions]
        rows["trainings"] += [kinds.TrainingRow(i, p.nip, *training) for training in p.trainings]
        rows["ranks"] += [
            kinds.PastRankRow(i, p.nip, start, rank, rank_order(rank), end) for rank, start, end in p.past_ranks
        ]
        rows["positions"] += [
            kinds.PastPositionRow(i, p.nip, start, context.agency_id, units[spec.unor_id], position_ids[spec],
                                  spec.functional_level or spec.position_type, end)
            for spec, start, end in p.past_positions
        ]  # fmt: skip
        rows["edu"] += [kinds.PastEducationRow(i, p.nip, start, level, school, major, end)
                        for level, school, major, start, end in p.past_education]  # fmt: skip
    return [
        (RATINGS, rows["ratings"]), (SANCTIONS, rows["sanctions"]), (kinds.TRAININGS, rows["trainings"]),
        (kinds.PAST_RANKS, rows["ranks"]), (kinds.PAST_POSITIONS, rows["positions"]),
        (kinds.PAST_EDUCATION, rows["edu"]),
    ]  # fmt: skip


def _named(people: list[Person], errors: list[RowError], fields: dict[str, str], endpoint: str) -> dict[str, Problem]:
    """Refusals by NIP: the first per NIP, with the SIASN field it comes from."""
    named: dict[str, Problem] = {}
    for error in errors:
        nip = people[error.row].nip
        field = fields.get(error.field, f"{endpoint}.{error.field}")
        named.setdefault(nip, (field, error.render()["message_en"]))
    return named
